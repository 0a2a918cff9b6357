import { randomBytes } from 'node:crypto';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import type { TokenTaskSpec } from './definition.ts';
import { TASK_TOKEN_PLACEHOLDER } from './definition.ts';
import { checkPayload, DataLimitExceeded, TaskFailure } from './errors.ts';
import { statesTimeout } from './interpreter-errors.ts';
import { waitForSimulatedTime } from './sim-wait.ts';
import { statesStore } from './store.ts';
import { afterQueuedEvents, invokeLocal, type Json, type TaskHandler, type TaskScope } from './task-scope.ts';
import type { TaskTokenRecord, TokenOutcome } from './task-token-store.ts';

/** Tokens this local cloud hands out: `AQ` and base64url, as long as AWS's (~ 600 characters). */
const TOKEN_SHAPE = /^AQ[A-Za-z0-9_-]{400,2046}$/;

type Ending = TokenOutcome | { kind: 'timeout'; error: string; cause: string } | { kind: 'stopped' };

const withToken = (value: Json, token: string): Json => {
  if (typeof value === 'string') return value.replaceAll(TASK_TOKEN_PLACEHOLDER, token);
  if (Array.isArray(value)) return value.map((v) => withToken(v, token));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withToken(v, token)]));
};

/**
 * Registers a token and returns how its Task ends: SendTaskSuccess / SendTaskFailure, the
 * Task's TimeoutSeconds (from its start) or HeartbeatSeconds (from its start or the last
 * SendTaskHeartbeat) on the simulated clock, or its execution stopping.
 */
const openToken = (scope: TaskScope, spec: TokenTaskSpec) => {
  const { cloud } = scope;
  const token = `AQ${randomBytes(450).toString('base64url')}`;
  const at = (seconds: number | undefined) =>
    seconds === undefined ? Number.POSITIVE_INFINITY : cloud.now() + seconds * 1000;
  const timeoutAt = at(spec.timeoutSeconds);
  let heartbeatAt = at(spec.heartbeatSeconds);
  let outcome: TokenOutcome | undefined;
  let wake = new AbortController();
  const record: TaskTokenRecord = {
    executionArn: scope.execution.arn,
    open: true,
    settle: (o) => {
      outcome ??= o;
      wake.abort();
    },
    heartbeat: () => {
      heartbeatAt = at(spec.heartbeatSeconds);
      wake.abort();
    },
  };
  statesStore(cloud).tokens.set(token, record);
  const ending = async (): Promise<Ending> => {
    for (;;) {
      if (outcome) return outcome;
      if (!scope.running()) return { kind: 'stopped' };
      if (cloud.now() >= timeoutAt)
        return {
          kind: 'timeout',
          error: 'States.Timeout',
          cause: `The task exceeded its TimeoutSeconds (${spec.timeoutSeconds})`,
        };
      if (cloud.now() >= heartbeatAt)
        return {
          kind: 'timeout',
          error: 'States.HeartbeatTimeout',
          cause: `No heartbeat for ${spec.heartbeatSeconds} seconds (HeartbeatSeconds)`,
        };
      wake = new AbortController();
      const signal = AbortSignal.any([wake.signal, scope.execution.halted.signal]);
      await waitForSimulatedTime(cloud, Math.min(timeoutAt, heartbeatAt), signal);
    }
  };
  return { token, record, ending };
};

type Submit = (params: Record<string, Json>) => Promise<Json>;

/** Records how the Task ended and returns its result or throws its error (Retry/Catch see it). */
const settleTask = async (scope: TaskScope, base: Record<string, string>, ending: Ending): Promise<Json> => {
  if (ending.kind === 'stopped') throw new TaskFailure('States.Runtime', 'The execution stopped');
  if (ending.kind === 'timeout') {
    scope.record('TaskTimedOut', { ...base, error: ending.error, cause: ending.cause });
    if (ending.error === 'States.Timeout') throw await statesTimeout(ending.cause);
    throw new TaskFailure(ending.error, ending.cause);
  }
  if (ending.kind === 'failure') {
    scope.record('TaskFailed', { ...base, error: ending.error, cause: ending.cause });
    throw new TaskFailure(ending.error, ending.cause);
  }
  checkPayload('The state/task result', ending.output);
  scope.record('TaskSucceeded', {
    ...base,
    output: JSON.stringify(ending.output),
    outputDetails: { truncated: false },
  });
  return ending.output as Json;
};

/**
 * A `.waitForTaskToken` Task: submits its Parameters (with `$$.Task.Token` in them) and
 * waits for the token to come back ("Wait for a Callback with Task Token",
 * connect-to-resource.html#connect-wait-token): TaskScheduled, TaskStarted, TaskSubmitted,
 * then TaskSucceeded / TaskFailed / TaskTimedOut.
 */
const waitForTokenTask =
  (
    scope: TaskScope,
    base: { resourceType: string; resource: string },
    spec: TokenTaskSpec,
    submit: Submit,
  ): TaskHandler =>
  async (input) => {
    await afterQueuedEvents();
    const { token, record, ending } = openToken(scope, spec);
    try {
      const params = withToken(input, token) as Record<string, Json>;
      scope.record('TaskScheduled', {
        ...base,
        region: scope.execution.region,
        parameters: JSON.stringify(params),
        ...(spec.timeoutSeconds !== undefined ? { timeoutInSeconds: spec.timeoutSeconds } : {}),
        ...(spec.heartbeatSeconds !== undefined ? { heartbeatInSeconds: spec.heartbeatSeconds } : {}),
      });
      scope.record('TaskStarted', base);
      let submitted: Json;
      try {
        submitted = await submit(params);
      } catch (error) {
        if (error instanceof TaskFailure || error instanceof DataLimitExceeded)
          scope.record('TaskFailed', { ...base, error: error.name, cause: error.message });
        throw error;
      }
      scope.record('TaskSubmitted', {
        ...base,
        output: JSON.stringify(submitted),
        outputDetails: { truncated: false },
      });
      return await settleTask(scope, base, await ending());
    } finally {
      record.open = false;
    }
  };

const submitLambda =
  (scope: TaskScope): Submit =>
  async (params) => {
    if (typeof params.FunctionName !== 'string')
      throw new TaskFailure('States.Runtime', 'lambda:invoke.waitForTaskToken needs Parameters.FunctionName');
    const qualified =
      typeof params.Qualifier === 'string'
        ? `${params.FunctionName}:${params.Qualifier}`
        : params.FunctionName;
    checkPayload('The state/task input', params.Payload ?? {});
    const { payload, requestId } = await invokeLocal(scope, qualified, params.Payload ?? {});
    return {
      ExecutedVersion: '$LATEST',
      Payload: payload as Json,
      SdkHttpMetadata: { HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: requestId },
      StatusCode: 200,
    };
  };

const LAMBDA_WAIT = /^arn:aws[a-z-]*:states:::lambda:invoke\.waitForTaskToken$/;

/** The handler of a `.waitForTaskToken` Task the local cloud can run, or undefined. */
export const tokenTask = (
  scope: TaskScope,
  resource: string,
  spec: TokenTaskSpec,
): TaskHandler | undefined => {
  if (LAMBDA_WAIT.test(resource))
    return waitForTokenTask(
      scope,
      { resourceType: 'lambda', resource: 'invoke.waitForTaskToken' },
      spec,
      submitLambda(scope),
    );
  return undefined;
};

/**
 * The token's open Task, or the error SendTask* answers (botocore stepfunctions
 * SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat: InvalidToken, TaskDoesNotExist,
 * TaskTimedOut). Which of the last two AWS answers for a token whose Task already ended is
 * [unconfirmed]: TaskTimedOut here, TaskDoesNotExist for a well-formed token never issued.
 */
const openTask = (cloud: LocalCloud, token: string): TaskTokenRecord => {
  if (!TOKEN_SHAPE.test(token)) throw new AwsError('InvalidToken', "Invalid Token: 'Invalid token'");
  const record = statesStore(cloud).tokens.get(token);
  if (!record) throw new AwsError('TaskDoesNotExist', 'Task Does Not Exist');
  if (!record.open)
    throw new AwsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
  return record;
};

export const sendTaskSuccess = (cloud: LocalCloud, token: string, output: string): void => {
  const record = openTask(cloud, token);
  let value: unknown;
  try {
    value = JSON.parse(output);
  } catch (error) {
    throw new AwsError(
      'InvalidOutput',
      `Invalid Output: '${error instanceof Error ? error.message : 'not JSON'}'`,
    );
  }
  record.settle({ kind: 'success', output: value });
  record.open = false;
};

export const sendTaskFailure = (
  cloud: LocalCloud,
  token: string,
  failure: { error?: string; cause?: string },
): void => {
  const record = openTask(cloud, token);
  record.settle({ kind: 'failure', error: failure.error ?? '', cause: failure.cause ?? '' });
  record.open = false;
};

export const sendTaskHeartbeat = (cloud: LocalCloud, token: string): void => {
  openTask(cloud, token).heartbeat();
};
