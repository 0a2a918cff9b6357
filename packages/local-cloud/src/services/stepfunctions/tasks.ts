import type { LocalCloud } from '../../cloud.ts';
import {
  DISTRIBUTED_MAP_RESOURCE,
  type PreparedDefinition,
  SIMULATED_WAIT_RESOURCE,
  type WaitSpec,
} from './definition.ts';
import { checkPayload, DataLimitExceeded, TaskFailure, UnsupportedTaskError } from './errors.ts';
import { distributedMapTask } from './map-run.ts';
import { readReferencePath } from './reference-path.ts';
import { waitForSimulatedTime } from './sim-wait.ts';
import { afterQueuedEvents, invokeLocal, type Json, type TaskHandler, type TaskScope } from './task-scope.ts';
import { tokenTask } from './task-tokens.ts';

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+(:[a-zA-Z0-9$_-]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;

/** `Resource: arn:aws:lambda:…:function:NAME`: the legacy integration, LambdaFunction* events. */
const lambdaArnTask =
  (scope: TaskScope, resource: string): TaskHandler =>
  async (input) => {
    await afterQueuedEvents();
    scope.record('LambdaFunctionScheduled', {
      resource,
      input: JSON.stringify(input),
      inputDetails: { truncated: false },
    });
    scope.record('LambdaFunctionStarted');
    try {
      checkPayload('The state/task input', input);
      const { payload } = await invokeLocal(scope, resource, input);
      checkPayload('The state/task result', payload);
      scope.record('LambdaFunctionSucceeded', {
        output: JSON.stringify(payload),
        outputDetails: { truncated: false },
      });
      return payload as Json;
    } catch (error) {
      if (error instanceof TaskFailure || error instanceof DataLimitExceeded)
        scope.record('LambdaFunctionFailed', { error: error.name, cause: error.message });
      throw error;
    }
  };

/** `Resource: arn:aws:states:::lambda:invoke`: the optimized integration, Task* events and the SDK-shaped result. */
const lambdaInvokeTask =
  (scope: TaskScope): TaskHandler =>
  async (input) => {
    await afterQueuedEvents();
    const base = { resourceType: 'lambda', resource: 'invoke' };
    scope.record('TaskScheduled', {
      ...base,
      region: scope.execution.region,
      parameters: JSON.stringify(input),
    });
    scope.record('TaskStarted', base);
    try {
      const params = (
        typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}
      ) as Record<string, Json>;
      if (typeof params.FunctionName !== 'string')
        throw new TaskFailure('States.Runtime', 'lambda:invoke needs Parameters.FunctionName');
      const qualified =
        typeof params.Qualifier === 'string'
          ? `${params.FunctionName}:${params.Qualifier}`
          : params.FunctionName;
      checkPayload('The state/task input', params.Payload ?? {});
      const { payload, requestId } = await invokeLocal(scope, qualified, params.Payload ?? {});
      const result = {
        ExecutedVersion: '$LATEST',
        Payload: payload,
        SdkHttpMetadata: { HttpStatusCode: 200 },
        SdkResponseMetadata: { RequestId: requestId },
        StatusCode: 200,
      } as Json;
      checkPayload('The state/task result', result);
      scope.record('TaskSucceeded', {
        ...base,
        output: JSON.stringify(result),
        outputDetails: { truncated: false },
      });
      return result;
    } catch (error) {
      if (error instanceof TaskFailure || error instanceof DataLimitExceeded)
        scope.record('TaskFailed', { ...base, error: error.name, cause: error.message });
      throw error;
    }
  };

const waitTarget = (cloud: LocalCloud, spec: WaitSpec, input: Json): number => {
  const fail = (detail: string) => new UnsupportedTaskError(`Wait state: ${detail}`);
  if (spec.Seconds !== undefined) return cloud.now() + spec.Seconds * 1000;
  if (spec.Timestamp !== undefined) return Date.parse(spec.Timestamp);
  if (spec.SecondsPath !== undefined) {
    const seconds = readReferencePath(input, spec.SecondsPath);
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0)
      throw fail(`SecondsPath ${spec.SecondsPath} must point to a non-negative integer`);
    return cloud.now() + seconds * 1000;
  }
  if (spec.TimestampPath !== undefined) {
    const stamp = readReferencePath(input, spec.TimestampPath);
    const at = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
    if (Number.isNaN(at))
      throw fail(`TimestampPath ${spec.TimestampPath} must point to an ISO 8601 timestamp`);
    return at;
  }
  return cloud.now();
};

const simulatedWait =
  (scope: TaskScope, spec: WaitSpec): TaskHandler =>
  async (input) => {
    await waitForSimulatedTime(
      scope.cloud,
      waitTarget(scope.cloud, spec, input),
      scope.execution.halted.signal,
    );
    return input;
  };

const unsupported =
  (resource: string): TaskHandler =>
  async () => {
    throw new UnsupportedTaskError(
      `The local cloud cannot run Task resource ${resource}: only Lambda functions registered in the local cloud (arn:aws:lambda:…:function:NAME or arn:aws:states:::lambda:invoke) are supported`,
    );
  };

/**
 * A local handler for every Task state, so the interpreter never calls AWS itself:
 * Lambda resources run the local cloud's functions, Waits use the simulated clock,
 * Distributed Maps run as Map Runs, `.waitForTaskToken` Tasks wait for SendTask*, and
 * anything else fails the execution with an uncatchable States.Runtime.
 */
export const bindTasks = (
  scope: TaskScope,
  prepared: Pick<PreparedDefinition, 'tasks' | 'waits' | 'distributedMaps' | 'tokenTasks'>,
): Record<string, TaskHandler> => {
  const handlers: Record<string, TaskHandler> = {};
  for (const [stateName, resource] of prepared.tasks) {
    const wait = prepared.waits.get(stateName);
    const map = prepared.distributedMaps.get(stateName);
    const token = prepared.tokenTasks.get(stateName);
    if (resource === SIMULATED_WAIT_RESOURCE && wait) handlers[stateName] = simulatedWait(scope, wait);
    else if (resource === DISTRIBUTED_MAP_RESOURCE && map)
      handlers[stateName] = distributedMapTask(scope, map);
    else if (token) handlers[stateName] = tokenTask(scope, resource, token) ?? unsupported(resource);
    else if (LAMBDA_ARN.test(resource)) handlers[stateName] = lambdaArnTask(scope, resource);
    else if (LAMBDA_INVOKE.test(resource)) handlers[stateName] = lambdaInvokeTask(scope);
    else handlers[stateName] = unsupported(resource);
  }
  return handlers;
};
