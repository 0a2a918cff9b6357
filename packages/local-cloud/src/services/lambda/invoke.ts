import { randomUUID } from 'node:crypto';
import type { LocalCloud } from '../../cloud.ts';
import { startRoleSession } from '../../iam/store.ts';
import { notifyAsyncEnded } from './async-settle.ts';
import { runAsyncInvocation } from './event-invoke-config.ts';
import { inEventSlot } from './event-slots.ts';
import { retireIdleFunctions } from './idle-retirement.ts';
import type { InvocationOutcome } from './outcome.ts';
import { type LambdaContext, type LambdaFunction, lambdaStore, MAX_LOG_LINES_PER_FUNCTION } from './store.ts';
import { WorkerPool, type WorkerReply } from './worker-pool.ts';

/** Variables Lambda sets itself; a function's configuration cannot override them. */
const RESERVED = new Set([
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_EXECUTION_ENV',
  'LAMBDA_TASK_ROOT',
  '_HANDLER',
]);

export const isReservedVariable = (name: string): boolean => RESERVED.has(name);

/** Used only when no server serves the cloud (the conventional local-AWS port). */
const FALLBACK_ENDPOINT = 'http://127.0.0.1:4566';

const logGroup = (fn: LambdaFunction) => `/aws/lambda/${fn.name}`;

/**
 * The environment of a bundle function: what Lambda sets, then the function's variables.
 * Nothing is inherited from the host process, so real credentials on the machine never
 * reach a rehearsed function, and its SDK clients call the local cloud (AWS_ENDPOINT_URL).
 * As on Lambda, the credentials are a session of the function's execution role (Lambda
 * Developer Guide, "Defined runtime environment variables": AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN "obtained from the function's execution role"),
 * which is what IAM mode evaluates its calls against.
 */
const environmentOf = (cloud: LocalCloud, fn: LambdaFunction, root: string): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  AWS_ENDPOINT_URL: cloud.endpointUrl ?? FALLBACK_ENDPOINT,
  AWS_EC2_METADATA_DISABLED: 'true',
  NODE_OPTIONS: '--enable-source-maps',
  ...fn.environment,
  AWS_REGION: fn.region,
  AWS_DEFAULT_REGION: fn.region,
  AWS_ACCESS_KEY_ID: startRoleSession(cloud, { roleArn: fn.role, sessionName: fn.name }),
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SESSION_TOKEN: 'local',
  AWS_LAMBDA_FUNCTION_NAME: fn.name,
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
  AWS_LAMBDA_LOG_GROUP_NAME: logGroup(fn),
  AWS_LAMBDA_LOG_STREAM_NAME: 'local',
  AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
  LAMBDA_TASK_ROOT: root,
  _HANDLER: fn.handler,
});

const contextFields = (fn: LambdaFunction, requestId: string): Record<string, string> => ({
  functionName: fn.name,
  functionVersion: '$LATEST',
  invokedFunctionArn: fn.arn,
  memoryLimitInMB: String(fn.memorySize),
  awsRequestId: requestId,
  logGroupName: logGroup(fn),
  logStreamName: 'local',
});

const errorPayload = (errorType: string, errorMessage: string, trace: string[] = []) =>
  JSON.stringify({ errorType, errorMessage, trace });

const fromReply = (requestId: string, reply: WorkerReply): InvocationOutcome =>
  reply.ok
    ? { requestId, payload: reply.payload }
    : {
        requestId,
        payload: errorPayload(reply.errorType, reply.errorMessage, reply.trace),
        functionError: 'Unhandled',
      };

const poolFor = (cloud: LocalCloud, fn: LambdaFunction & { code: { kind: 'bundle' } }): WorkerPool => {
  const { pools } = lambdaStore(cloud);
  const key = `${fn.arn}#${fn.generation}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new WorkerPool({
      root: fn.code.root,
      handler: fn.handler,
      env: environmentOf(cloud, fn, fn.code.root),
      memorySize: fn.memorySize,
      simulatedClock: true,
      onColdStart: () => {
        cloud.counters.add('lambda.coldStarts');
        cloud.counters.add(`lambda.coldStarts.${fn.name}`);
      },
      ...(cloud.functionLogs === 'capture'
        ? {
            onLog: (line: string) => {
              const { logs } = lambdaStore(cloud);
              const lines = logs.get(fn.name) ?? [];
              lines.push(line);
              if (lines.length > MAX_LOG_LINES_PER_FUNCTION) lines.shift();
              logs.set(fn.name, lines);
            },
          }
        : {}),
    });
    pools.set(key, pool);
  }
  return pool;
};

/** Stops the warm environments of a function (after an update or a delete). */
export const retireEnvironments = (cloud: LocalCloud, arn: string): void => {
  const { pools } = lambdaStore(cloud);
  for (const [key, pool] of pools)
    if (key.startsWith(`${arn}#`)) {
      pool.close();
      pools.delete(key);
    }
};

// process.env is one object per process: in-memory handlers that declare variables run one
// at a time with them applied, and the previous values are restored afterwards.
let environmentLock: Promise<unknown> = Promise.resolve();
const withEnvironment = async <T>(env: Record<string, string>, run: () => Promise<T>): Promise<T> => {
  if (Object.keys(env).length === 0) return run();
  const previous = environmentLock;
  let release = () => {};
  environmentLock = new Promise<void>((resolve) => {
    release = resolve;
  });
  await previous;
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    release();
  }
};

const describeThrown = (error: unknown): WorkerReply =>
  error instanceof Error
    ? {
        ok: false,
        errorType: error.name || 'Error',
        errorMessage: error.message,
        trace: (error.stack ?? '').split('\n'),
      }
    : { ok: false, errorType: typeof error, errorMessage: String(error), trace: [] };

/**
 * Runs an in-memory handler in this process. A timeout answers `Sandbox.Timedout` like
 * Lambda does, but the handler itself cannot be stopped and finishes in the background.
 */
const runInline = async (
  fn: LambdaFunction & { code: { kind: 'inline' } },
  event: unknown,
  requestId: string,
): Promise<WorkerReply> => {
  const timeoutMs = fn.timeoutSeconds * 1000;
  const deadline = Date.now() + timeoutMs;
  const context: LambdaContext = {
    ...(contextFields(fn, requestId) as Omit<
      LambdaContext,
      'callbackWaitsForEmptyEventLoop' | 'getRemainingTimeInMillis'
    >),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const handler = fn.code.handler;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<WorkerReply>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
          trace: [],
        }),
      timeoutMs,
    );
  });
  const run = withEnvironment(fn.environment, async (): Promise<WorkerReply> => {
    try {
      const result = await handler(structuredClone(event), context);
      return { ok: true, payload: JSON.stringify(result ?? null) };
    } catch (error) {
      return describeThrown(error);
    }
  });
  try {
    return await Promise.race([run, timedOut]);
  } finally {
    clearTimeout(timer);
  }
};

/** Marks `current` as used now, then retires the functions idle for too long (idle-retirement.ts). */
const retireIdle = (cloud: LocalCloud, current?: WorkerPool): void => {
  const now = cloud.counters.get('lambda.invocations');
  if (current) current.lastUsed = now;
  const retired = retireIdleFunctions(lambdaStore(cloud).pools.values(), now);
  if (retired > 0) cloud.counters.add('lambda.retiredEnvironments', retired);
};

/**
 * Invokes a function synchronously (RequestResponse) and counts it. Used by the Invoke
 * API, by Step Functions tasks, by Function URLs and by schedules.
 */
export const invokeFunction = async (
  cloud: LocalCloud,
  fn: LambdaFunction,
  event: unknown,
  requestId: string = randomUUID(),
): Promise<InvocationOutcome> => {
  cloud.counters.add('lambda.invocations');
  cloud.counters.add(`lambda.invocations.${fn.name}`);
  if (fn.code.kind === 'inline') {
    retireIdle(cloud);
    return fromReply(requestId, await runInline({ ...fn, code: fn.code }, event, requestId));
  }
  const timeoutMs = fn.timeoutSeconds * 1000;
  const pool = poolFor(cloud, { ...fn, code: fn.code });
  retireIdle(cloud, pool);
  const reply = await pool.invoke(
    {
      id: requestId,
      event,
      context: contextFields(fn, requestId),
      deadline: Date.now() + timeoutMs,
      clock: { sim: cloud.now(), real: Date.now(), speed: cloud.clock.speed },
    },
    timeoutMs,
  );
  pool.lastUsed = cloud.counters.get('lambda.invocations');
  return fromReply(requestId, reply);
};

/** Queues an `Event` invocation: it runs after the caller got its 202, its outcome is recorded. */
export const invokeAsync = (cloud: LocalCloud, fn: LambdaFunction, event: unknown): string => {
  const requestId = randomUUID();
  const record = { requestId, functionArn: fn.arn, queuedAt: cloud.now(), status: 'QUEUED' as const };
  const { asyncInvocations } = lambdaStore(cloud);
  asyncInvocations.push(record);
  setImmediate(() => {
    const attempt = (n: number) => invokeFunction(cloud, fn, event, n === 0 ? requestId : randomUUID());
    // Only a bundle function holds a warm environment per concurrent invocation.
    runAsyncInvocation(cloud, fn, event, requestId, (n) =>
      fn.code.kind === 'bundle' ? inEventSlot(cloud, fn.arn, () => attempt(n)) : attempt(n),
    ).then(
      ({ outcome }) => {
        Object.assign(
          record,
          outcome.functionError ? { status: 'FAILED', error: outcome.payload } : { status: 'SUCCEEDED' },
        );
        notifyAsyncEnded(cloud);
      },
      (error: unknown) => {
        Object.assign(record, { status: 'FAILED', error: String(error) });
        notifyAsyncEnded(cloud);
      },
    );
  });
  return requestId;
};
