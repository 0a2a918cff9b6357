import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { jsonResponse, parseJsonBody } from '../../protocol/rest-json.ts';
import type { LocalRequest, LocalService } from '../../service.ts';
import { ACTIONS } from './operations.ts';
import { waitForProgress } from './progress.ts';
import { MAX_PROGRESS_WAIT_MS } from './progress-limit.ts';
import { statesStore } from './store.ts';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AWSStepFunctions.';

const ProgressRequest = z
  .object({
    executionArn: z.string(),
    afterEventId: z.number().int().min(0),
    afterActivity: z.number().int().min(0).optional(),
    waitMs: z.number().int().min(0).max(MAX_PROGRESS_WAIT_MS),
  })
  .strict();

/** Step Functions over awsJson1_0: `X-Amz-Target: AWSStepFunctions.<Action>`, JSON in and out. */
export const stepFunctionsService: LocalService = {
  name: 'states',
  route(req: LocalRequest, cloud: LocalCloud) {
    const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : '';
    const action = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const handler = ACTIONS[action];
    if (!handler) throw new AwsError('UnknownOperationException', `Unknown operation ${target || '(none)'}`);
    return {
      action,
      run: () => {
        const input = parseJsonBody(req.body, (detail) => new AwsError('SerializationException', detail));
        return jsonResponse(
          200,
          handler({ cloud, region: req.region, input }),
          { 'x-amzn-requestid': req.requestId },
          CONTENT_TYPE,
        );
      },
    };
  },
  /**
   * `POST /states/progress {executionArn, afterEventId, afterActivity?, waitMs}`: answers
   * `{status, lastEventId, activity}` once the execution has an event after `afterEventId`
   * (or its `activity`, its events plus its Distributed Maps' child executions' events, grew
   * past `afterActivity`) or has ended, or after `waitMs` of real time without either (no
   * `status` while no execution has that ARN yet). Not an AWS API: a waiter learns of each
   * step as it happens instead of polling.
   */
  control(cloud, method, subpath, body) {
    if (method !== 'POST' || subpath !== '/states/progress') return undefined;
    const input = ProgressRequest.parse(body);
    return waitForProgress(cloud, input.executionArn, input, input.waitMs).then((progress) =>
      jsonResponse(200, progress),
    );
  },
  renderError: (error, req) =>
    jsonResponse(
      error.status,
      { __type: error.code, message: error.message },
      { 'x-amzn-requestid': req.requestId, 'x-amzn-errortype': error.code },
      CONTENT_TYPE,
    ),
  dump(cloud) {
    const store = statesStore(cloud);
    return {
      stateMachines: [...store.machines.values()].map(({ arn, name, type, region }) => ({
        arn,
        name,
        type,
        region,
      })),
      executions: [...store.executions.values()].map((e) => ({
        arn: e.arn,
        status: e.status,
        startDate: new Date(e.startDate).toISOString(),
        ...(e.stopDate !== undefined ? { stopDate: new Date(e.stopDate).toISOString() } : {}),
        transitions: e.transitions,
        lambdaInvocations: e.lambdaInvocations,
        ...(e.error ? { error: e.error } : {}),
      })),
    };
  },
};
