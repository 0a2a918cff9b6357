import { gunzipSync } from 'node:zlib';
import type * as z from 'zod';
import { AwsError } from '../aws-error.ts';
import type { LocalCloud } from '../cloud.ts';
import type { LocalRequest, LocalResponse, LocalService } from '../service.ts';
import { jsonErrorResponse } from './errors.ts';

/**
 * awsJson 1.0 / 1.1 services (SSM, CodePipeline, EventBridge, Global Accelerator, CloudWatch):
 * `POST /` with `X-Amz-Target: <Prefix>.<Operation>` and a JSON body; errors as `{"__type": code}`.
 */
const contentType = (version: '1.0' | '1.1') => `application/x-amz-json-${version}`;

interface JsonActionContext<I> {
  cloud: LocalCloud;
  region: string;
  input: I;
}

export interface JsonAction<I = unknown> {
  /** Validates the request body; issues become ValidationException as AWS words them. */
  input: z.ZodType<I>;
  run(ctx: JsonActionContext<I>): unknown;
}

/** Keeps the input type of each action's schema when collecting actions in a record. */
export const jsonAction = <I>(action: JsonAction<I>): JsonAction<unknown> => action as JsonAction<unknown>;

const validationError = (issues: z.core.$ZodIssue[], code: string): AwsError => {
  const details = issues.map(
    (i) => `Value at '${i.path.join('.') || '(body)'}' failed to satisfy constraint: ${i.message}`,
  );
  return new AwsError(
    code,
    `${details.length} validation error${details.length === 1 ? '' : 's'} detected: ${details.join('; ')}`,
  );
};

/** A body sent with `Content-Encoding: gzip` (request compression, e.g. CloudWatch PutMetricData). */
const parseBody = (body: Buffer, encoding: unknown): unknown => {
  if (body.length === 0) return {};
  try {
    return JSON.parse((encoding === 'gzip' ? gunzipSync(body) : body).toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.');
  }
};

export interface AwsJsonServiceSpec {
  name: string;
  targetPrefix: string;
  actions: Record<string, JsonAction<unknown>>;
  /** 1.1 unless the service's model says 1.0. */
  jsonVersion?: '1.0' | '1.1';
  /** The code of a request that breaks the model's constraints (ValidationException unless the model has another). */
  validationErrorCode?: string;
  renderError?: LocalService['renderError'];
  seed?: LocalService['seed'];
  dump?: LocalService['dump'];
  control?: LocalService['control'];
}

export const awsJsonService = (spec: AwsJsonServiceSpec): LocalService => ({
  name: spec.name,
  route(req: LocalRequest, cloud: LocalCloud) {
    const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : '';
    const [prefix, action = ''] = target.split('.');
    const handler = prefix === spec.targetPrefix ? spec.actions[action] : undefined;
    if (!handler) {
      throw new AwsError(
        'UnknownOperationException',
        `The local cloud does not implement ${target || '(no target)'}.`,
      );
    }
    return {
      action,
      run: (): LocalResponse => {
        const parsed = handler.input.safeParse(parseBody(req.body, req.headers['content-encoding']));
        if (!parsed.success)
          throw validationError(parsed.error.issues, spec.validationErrorCode ?? 'ValidationException');
        const output = handler.run({ cloud, region: req.region, input: parsed.data });
        return {
          status: 200,
          headers: {
            'content-type': contentType(spec.jsonVersion ?? '1.1'),
            'x-amzn-requestid': req.requestId,
          },
          body: JSON.stringify(output ?? {}),
        };
      },
    };
  },
  renderError: spec.renderError ?? ((error, req) => jsonErrorResponse(error, req.requestId)),
  seed: spec.seed,
  dump: spec.dump,
  control: spec.control,
});
