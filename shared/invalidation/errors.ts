/**
 * Named errors of the invalidation planner. `this.name` is a literal so that a minifier cannot
 * rename it: callers, logs and Step Functions `ErrorEquals` match on it.
 */

/** A CloudFront invalidation path (or the URL it was built from) breaks a CloudFront path rule. */
export class InvalidPathError extends Error {
  readonly path: string;
  readonly expected: string;

  constructor(path: string, expected: string, options?: { cause?: unknown }) {
    super(`invalid invalidation path ${JSON.stringify(path)}: expected ${expected}`, options);
    this.name = 'InvalidPathError';
    this.path = path;
    this.expected = expected;
  }
}

/** An S3 event key is not valid `application/x-www-form-urlencoded` text (a stray or truncated `%`). */
export class InvalidEventKeyError extends Error {
  readonly key: string;

  constructor(key: string, options?: { cause?: unknown }) {
    super(
      `invalid S3 event key ${JSON.stringify(key)}: expected URL-encoded UTF-8 ('+' for space, '%XX' escapes)`,
      options,
    );
    this.name = 'InvalidEventKeyError';
    this.key = key;
  }
}

/** The planner input does not match its schema; `issues` lists every problem, not only the first. */
export class InvalidPlanInputError extends Error {
  readonly issues: readonly string[];

  constructor(issues: readonly string[], options?: { cause?: unknown }) {
    super(`invalid invalidation plan input: ${issues.join('; ')}`, options);
    this.name = 'InvalidPlanInputError';
    this.issues = issues;
  }
}

/** `callerReference` was given an empty or non-integer part. */
export class InvalidCallerReferenceInputError extends Error {
  readonly field: string;

  constructor(field: string, expected: string, options?: { cause?: unknown }) {
    super(`invalid caller reference input ${field}: expected ${expected}`, options);
    this.name = 'InvalidCallerReferenceInputError';
    this.field = field;
  }
}

/** The planner's own bookkeeping went wrong (a bug, never an input problem). */
export class PlannerInvariantError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`invalidation planner invariant broken: ${message}`, options);
    this.name = 'PlannerInvariantError';
  }
}
