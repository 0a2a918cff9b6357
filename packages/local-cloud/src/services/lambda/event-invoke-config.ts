import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import type { RestJsonRoute } from '../../protocol/rest-json.ts';
import { jsonResponse, parseJsonBody } from '../../protocol/rest-json.ts';
import type { LocalResponse } from '../../service.ts';
import { sendToQueue } from '../sqs/internal.ts';
import type { LambdaCall } from './call.ts';
import { invalidParameter } from './errors.ts';
import type { InvocationOutcome } from './outcome.ts';
import { findFunction, type LambdaFunction } from './store.ts';

/**
 * Asynchronous invocation settings (Put/Get/Update/DeleteFunctionEventInvokeConfig) and
 * what they change: retries of a failed `Event` invocation and its on-failure destination.
 * Retries run back to back (AWS waits about one and then two minutes between them) and
 * only when a configuration exists; only SQS destinations are delivered, any other is
 * recorded as undelivered.
 */
interface EventInvokeConfig {
  functionArn: string;
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  onSuccess?: string;
  onFailure?: string;
  lastModified: number;
}

interface DestinationDelivery {
  requestId: string;
  functionArn: string;
  condition: 'Success' | 'RetriesExhausted';
  destination: string;
  delivered: boolean;
  error?: string;
}

interface ConfigStore {
  configs: Map<string, EventInvokeConfig>;
  deliveries: DestinationDelivery[];
}

const invokeConfigStore = (cloud: LocalCloud): ConfigStore =>
  cloud.store('lambda.eventInvokeConfigs', () => ({ configs: new Map(), deliveries: [] }));

const Body = z.object({
  MaximumRetryAttempts: z.number().int().min(0).max(2).optional(),
  MaximumEventAgeInSeconds: z.number().int().min(60).max(21_600).optional(),
  DestinationConfig: z
    .object({
      OnSuccess: z.object({ Destination: z.string().optional() }).optional(),
      OnFailure: z.object({ Destination: z.string().optional() }).optional(),
    })
    .optional(),
});

const view = (c: EventInvokeConfig) => ({
  LastModified: c.lastModified / 1000,
  FunctionArn: `${c.functionArn}:$LATEST`,
  MaximumRetryAttempts: c.maximumRetryAttempts,
  MaximumEventAgeInSeconds: c.maximumEventAgeInSeconds,
  DestinationConfig: {
    OnSuccess: c.onSuccess ? { Destination: c.onSuccess } : {},
    OnFailure: c.onFailure ? { Destination: c.onFailure } : {},
  },
});

const notFound = (fn: LambdaFunction) =>
  new AwsError('ResourceNotFoundException', `The function ${fn.arn} doesn't have an EventInvokeConfig`, 404);

const put =
  (merge: boolean) =>
  ({ cloud, req, name }: LambdaCall): LocalResponse => {
    const fn = findFunction(cloud, req.region, name, req.query.get('Qualifier') ?? undefined);
    const parsed = Body.safeParse(parseJsonBody(req.body, (d) => invalidParameter(d)));
    if (!parsed.success)
      throw invalidParameter(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const body = parsed.data;
    const store = invokeConfigStore(cloud);
    const previous = merge ? store.configs.get(fn.arn) : undefined;
    if (merge && !previous) throw notFound(fn);
    const config: EventInvokeConfig = {
      functionArn: fn.arn,
      maximumRetryAttempts: body.MaximumRetryAttempts ?? previous?.maximumRetryAttempts ?? 2,
      maximumEventAgeInSeconds: body.MaximumEventAgeInSeconds ?? previous?.maximumEventAgeInSeconds ?? 21_600,
      lastModified: cloud.now(),
    };
    const onSuccess = body.DestinationConfig?.OnSuccess?.Destination ?? previous?.onSuccess;
    const onFailure = body.DestinationConfig?.OnFailure?.Destination ?? previous?.onFailure;
    if (onSuccess) config.onSuccess = onSuccess;
    if (onFailure) config.onFailure = onFailure;
    store.configs.set(fn.arn, config);
    return jsonResponse(200, view(config));
  };

const get = ({ cloud, req, name }: LambdaCall): LocalResponse => {
  const fn = findFunction(cloud, req.region, name);
  const config = invokeConfigStore(cloud).configs.get(fn.arn);
  if (!config) throw notFound(fn);
  return jsonResponse(200, view(config));
};

const remove = ({ cloud, req, name }: LambdaCall): LocalResponse => {
  const fn = findFunction(cloud, req.region, name);
  if (!invokeConfigStore(cloud).configs.delete(fn.arn)) throw notFound(fn);
  return { status: 204 };
};

const PATH = /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config$/;

export const EVENT_INVOKE_CONFIG_ROUTES: RestJsonRoute<LambdaCall>[] = [
  ['PUT', PATH, 'PutFunctionEventInvokeConfig', put(false)],
  ['POST', PATH, 'UpdateFunctionEventInvokeConfig', put(true)],
  ['GET', PATH, 'GetFunctionEventInvokeConfig', get],
  ['DELETE', PATH, 'DeleteFunctionEventInvokeConfig', remove],
];

/** The invocation record Lambda sends to a destination. */
const invocationRecord = (
  cloud: LocalCloud,
  fn: LambdaFunction,
  event: unknown,
  requestId: string,
  outcome: InvocationOutcome,
  attempts: number,
) => ({
  version: '1.0',
  timestamp: new Date(cloud.now()).toISOString(),
  requestContext: {
    requestId,
    functionArn: `${fn.arn}:$LATEST`,
    condition: outcome.functionError ? 'RetriesExhausted' : 'Success',
    approximateInvokeCount: attempts,
  },
  requestPayload: event,
  responseContext: {
    statusCode: 200,
    executedVersion: '$LATEST',
    ...(outcome.functionError ? { functionError: outcome.functionError } : {}),
  },
  responsePayload: JSON.parse(outcome.payload) as unknown,
});

/**
 * Runs an `Event` invocation to its end: the first attempt, the configured retries of a
 * failure, then the matching destination. Returns the last outcome and the attempt count.
 */
export const runAsyncInvocation = async (
  cloud: LocalCloud,
  fn: LambdaFunction,
  event: unknown,
  requestId: string,
  attempt: (n: number) => Promise<InvocationOutcome>,
): Promise<{ outcome: InvocationOutcome; attempts: number }> => {
  const config = invokeConfigStore(cloud).configs.get(fn.arn);
  // Without a configuration no retry is made (AWS retries twice): existing rehearsals count
  // invocations, and a config makes the retry policy explicit.
  const retries = config?.maximumRetryAttempts ?? 0;
  let attempts = 1;
  let outcome = await attempt(0);
  while (outcome.functionError && attempts <= retries) {
    outcome = await attempt(attempts);
    attempts += 1;
  }
  const destination = outcome.functionError ? config?.onFailure : config?.onSuccess;
  if (destination) {
    const delivery: DestinationDelivery = {
      requestId,
      functionArn: fn.arn,
      condition: outcome.functionError ? 'RetriesExhausted' : 'Success',
      destination,
      delivered: false,
    };
    try {
      if (!destination.startsWith('arn:aws:sqs:'))
        throw new Error('only SQS destinations are delivered locally');
      const body = JSON.stringify(invocationRecord(cloud, fn, event, requestId, outcome, attempts));
      sendToQueue(cloud, destination, { MessageBody: body });
      delivery.delivered = true;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    invokeConfigStore(cloud).deliveries.push(delivery);
  }
  return { outcome, attempts };
};
