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
