/**
 * SDK errors → the backup domain's named errors. The step functions' `Retry`/`Catch`
 * match on these names, so nothing raw from the SDK may escape the adapter.
 */
import { classifyEc2Failure } from '../backup/ec2-error-codes.ts';
import { BackupError, type BackupErrorClass, Ec2Unavailable } from '../backup/errors.ts';

/** What an AWS SDK v3 service exception looks like (duck-typed: no SDK import here). */
interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The EC2 error code of an SDK error (`name` carries it in SDK v3), or undefined. */
export function ec2ErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as SdkErrorShape;
  if (typeof shape.Code === 'string') return shape.Code;
  return typeof shape.name === 'string' ? shape.name : undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as SdkErrorShape).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Maps any error thrown by an EC2 call. Backup errors pass through; generic EC2 codes go
 * through the domain's classifier; an error that never got an HTTP answer (connection
 * reset, timeout) is `Ec2Unavailable`; anything else becomes `fallback` (the terminal
 * error of the step that made the call), with the code in the message.
 */
export function toBackupError(error: unknown, operation: string, fallback: BackupErrorClass): BackupError {
  if (error instanceof BackupError) return error;
  const code = ec2ErrorCode(error) ?? 'UnknownError';
  const message = error instanceof Error ? error.message : String(error);
  const httpStatus = httpStatusOf(error);
  const classified = classifyEc2Failure(
    httpStatus === undefined ? { code, message } : { code, message, httpStatus },
    error,
  );
  if (classified) {
    classified.message = `${operation}: ${classified.message}`;
    return classified;
  }
  if (httpStatus === undefined)
    return new Ec2Unavailable(`${operation}: ${code}: ${message}`, { cause: error });
  return new fallback(`${operation}: ${code}: ${message}`, { cause: error });
}
