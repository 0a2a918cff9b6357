import { AwsError } from '../../aws-error.ts';

/** Step Functions API errors, with the codes and messages of the AWS API reference. */
export const stateMachineDoesNotExist = (arn: string) =>
  new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
export const stateMachineAlreadyExists = (arn: string) =>
  new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
export const executionDoesNotExist = (arn: string) =>
  new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
export const executionAlreadyExists = (arn: string) =>
  new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
export const invalidArn = (arn: string) => new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
export const invalidName = (name: string) => new AwsError('InvalidName', `Invalid Name: '${name}'`);
export const invalidDefinition = (detail: string) =>
  new AwsError('InvalidDefinition', `Invalid State Machine Definition: '${detail}'`);
export const invalidExecutionInput = (detail: string) =>
  new AwsError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${detail}'`);
export const validationError = (detail: string) => new AwsError('ValidationException', detail);

/**
 * A Task whose resource the local cloud cannot run. Named States.Runtime and neither
 * retryable nor catchable (as on AWS, `States.ALL` does not match it), so a catch-all
 * `Catch` cannot hide that a rehearsal would have called something outside the local cloud.
 */
export class UnsupportedTaskError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}

/** A failed Task: `name` is the error `Retry`/`Catch` match, `message` the cause (JSON for Lambda). */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/**
 * Step Functions' payload quota: a state's input or output, a Task's input or result, and
 * the execution's input and output are at most 256 KiB of UTF-8 JSON.
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (Maximum input or output size).
 */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

const payloadBytes = (value: unknown): number =>
  Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value ?? null));

/**
 * A payload over MAX_PAYLOAD_BYTES. AWS documents States.DataLimitExceeded as a terminal
 * error that `States.ALL` does not catch (concepts-error-handling: "The States.ALL error type
 * … can't catch the States.DataLimitExceeded terminal error"), and no Retry helps, so it
 * is neither retryable nor catchable: the execution fails with it.
 */
export class DataLimitExceeded extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(what: string, bytes: number) {
    super(`${what} has a size of ${bytes} bytes, over the maximum of ${MAX_PAYLOAD_BYTES} bytes (256 KiB)`);
    this.name = 'States.DataLimitExceeded';
  }
}

/** Throws DataLimitExceeded when `value` serialises to more than MAX_PAYLOAD_BYTES. */
export const checkPayload = (what: string, value: unknown): void => {
  const bytes = payloadBytes(value);
  if (bytes > MAX_PAYLOAD_BYTES) throw new DataLimitExceeded(what, bytes);
};

/**
 * Step Functions' hard quota on one execution's history: 25,000 events. "When an execution
 * reaches 24,999 events, it waits for the next event to happen. If the event number 25,000
 * is ExecutionSucceeded, the execution finishes successfully. If the event number 25,000
 * isn't ExecutionSucceeded, the ExecutionFailed event is logged and the state machine
 * execution fails because of reaching the history limit."
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-history-limit.html, and
 * service-quotas.html (Maximum execution history size: 25,000 events).
 */
export const MAX_HISTORY_EVENTS = 25_000;
/**
 * The error of that ExecutionFailed event [unconfirmed]: the AWS pages above give none.
 * States.Runtime is the documented class of failures that no Retry or Catch handles.
 */
export const HISTORY_LIMIT_ERROR = 'States.Runtime';
/** Its cause, as users report AWS's message (not on an AWS page) [unconfirmed wording]. */
export const HISTORY_LIMIT_CAUSE = 'The execution reached the maximum number of history events (25000).';
