import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../../service.ts';
import { ACTIONS } from './actions.ts';
import { LEGACY_QUERY_CODES } from './errors.ts';
import { counts } from './messages.ts';
import { sqsState } from './store.ts';

const TARGET_PREFIX = 'AmazonSQS.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

const parseBody = (body: Buffer): Record<string, unknown> => {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
};

const SeedSchema = z
  .object({
    queues: z.array(
      z
        .object({
          name: z.string().regex(/^[\w-]{1,80}$/),
          region: z.string().default('us-east-1'),
          attributes: z.record(z.string(), z.string()).default({}),
        })
        .strict(),
    ),
  })
  .strict();

/** SQS over awsJson1_0 (`X-Amz-Target: AmazonSQS.<Action>`), standard queues only. */
export const sqsService: LocalService = {
  name: 'sqs',
  route(req: LocalRequest, cloud: LocalCloud) {
    const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : '';
    const action = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const handler = ACTIONS[action];
    if (!handler) {
      throw new AwsError('InvalidAction', `The action ${action || '(none)'} is not valid for this endpoint.`);
    }
    return {
      action,
      run: (): LocalResponse => {
        const output = handler({ cloud, region: req.region, host: req.host, input: parseBody(req.body) });
        return {
          status: 200,
          headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': req.requestId },
          body: JSON.stringify(output),
        };
      },
    };
  },
  renderError(error: AwsError, req: LocalRequest): LocalResponse {
    const legacy = LEGACY_QUERY_CODES[error.code] ?? error.code;
    return {
      status: error.status,
      headers: {
        'content-type': CONTENT_TYPE,
        'x-amzn-requestid': req.requestId,
        'x-amzn-query-error': `${legacy};${error.type}`,
      },
      body: JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }),
    };
  },
  seed(cloud: LocalCloud, input: unknown) {
    const { queues } = SeedSchema.parse(input);
    const created = [];
    const now = cloud.now();
    for (const q of queues) {
      const arn = `arn:aws:sqs:${q.region}:${cloud.accountId}:${q.name}`;
      sqsState(cloud).queues.set(`${q.region}/${q.name}`, {
        name: q.name,
        region: q.region,
        arn,
        attributes: q.attributes,
        tags: {},
        createdAt: now,
        modifiedAt: now,
        messages: [],
      });
      created.push({ name: q.name, region: q.region, arn, url: `/${cloud.accountId}/${q.name}` });
    }
    return { queues: created };
  },
  dump(cloud: LocalCloud) {
    return {
      queues: [...sqsState(cloud).queues.values()].map((q) => ({
        name: q.name,
        region: q.region,
        arn: q.arn,
        attributes: q.attributes,
        counts: counts(cloud, q),
        messages: q.messages.map((m) => ({
          id: m.id,
          body: m.body,
          sentAt: new Date(m.sentAt).toISOString(),
          visibleAt: new Date(m.visibleAt).toISOString(),
          receiveCount: m.receiveCount,
          inFlight: m.inFlight,
        })),
      })),
    };
  },
};
