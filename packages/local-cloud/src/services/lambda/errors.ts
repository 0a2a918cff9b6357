import { AwsError } from '../../aws-error.ts';

/** Lambda's error codes and HTTP statuses, as the Lambda API reference lists them. */
export const functionNotFound = (arn: string): AwsError =>
  new AwsError('ResourceNotFoundException', `Function not found: ${arn}`, 404);

export const functionUrlNotFound = (name: string): AwsError =>
  new AwsError(
    'ResourceNotFoundException',
    `The resource you requested does not exist. (function ${name})`,
    404,
  );

export const invalidParameter = (message: string): AwsError =>
  new AwsError('InvalidParameterValueException', message, 400);

export const functionExists = (name: string): AwsError =>
  new AwsError('ResourceConflictException', `Function already exist: ${name}`, 409);

export const urlConfigExists = (name: string): AwsError =>
  new AwsError(
    'ResourceConflictException',
    `Failed to create function url config for [functionArn = ${name}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
    409,
  );

export const requestTooLarge = (size: number, limit: number): AwsError =>
  new AwsError(
    'RequestTooLargeException',
    `Request must be smaller than ${limit} bytes for the InvokeFunction operation (got ${size})`,
    413,
  );

/** The function's code cannot be loaded (missing file, unreadable zip). */
export class FunctionCodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FunctionCodeError';
  }
}
