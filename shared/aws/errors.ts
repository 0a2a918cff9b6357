/**
 * Named errors of the AWS adapters. `this.name` is a literal (a minifier renames classes) and
 * the SDK error is kept as `cause`. Callers branch on these, never on SDK error names.
 */

/** The SDK error's code (`name`), or undefined for anything that is not an SDK service error. */
export const sdkErrorCode = (error: unknown): string | undefined =>
  error instanceof Error && '$metadata' in error ? error.name : undefined;

/** The HTTP status of an SDK error's response, if it had one. */
export const httpStatus = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/**
 * S3 refused a conditional write because another writer won: 412 PreconditionFailed, or 409
 * ConditionalRequestConflict while a conflicting write is in flight (S3 User Guide, "How to
 * prevent object overwrites with conditional writes",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
 */
export const lostConditionalWrite = (error: unknown): boolean =>
  ['PreconditionFailed', 'ConditionalRequestConflict'].includes(sdkErrorCode(error) ?? '') ||
  httpStatus(error) === 412 ||
  httpStatus(error) === 409;

/** Any other AWS call failure, with the service, operation and AWS error code. */
class AwsCallError extends Error {
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${service} ${operation} failed: ${code}${options?.cause instanceof Error ? ` (${options.cause.message})` : ''}`,
      options,
    );
    this.name = 'AwsCallError';
  }
}

/** PutEvents accepted the request but rejected entries (FailedEntryCount > 0). */
export class EventPublishError extends Error {
  constructor(readonly failures: readonly { code?: string; message?: string }[]) {
    super(
      `EventBridge rejected ${failures.length} event${failures.length === 1 ? '' : 's'}: ${failures
        .map((f) => `${f.code ?? 'unknown'}: ${f.message ?? ''}`)
        .join('; ')}`,
    );
    this.name = 'EventPublishError';
  }
}

/** A webhook secret could not be read (missing parameter/secret, access denied, empty value). */
export class SecretUnavailableError extends Error {
  constructor(
    readonly reference: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`webhook secret ${reference} is unavailable: ${reason}`, options);
    this.name = 'SecretUnavailableError';
  }
}

/**
 * CodePipeline does not know the job (GetJobDetails → JobNotFoundException): the event did not come
 * from a pipeline run of this account and region. There is no job to report a result to.
 */
export class JobNotFoundError extends Error {
  constructor(
    readonly jobId: string,
    options?: { cause?: unknown },
  ) {
    super(`CodePipeline job ${jobId} does not exist in this account and region`, options);
    this.name = 'JobNotFoundError';
  }
}

/** Wraps any SDK error as an AwsCallError; leaves our own errors untouched. */
export const toAwsCallError = (service: string, operation: string, error: unknown): Error => {
  if (error instanceof AwsCallError) return error;
  return new AwsCallError(
    service,
    operation,
    sdkErrorCode(error) ?? (error instanceof Error ? error.name : 'Unknown'),
    {
      cause: error,
    },
  );
};
