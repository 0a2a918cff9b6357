/**
 * Named errors of deploy-event normalisation and invalidation submission. `this.name` is a
 * literal (minifiers rename classes); messages name the field at fault.
 */

export type EventSource = 's3' | 'eventbridge' | 'github' | 'codepipeline' | 'deferred' | 'freshness' | 'cli';

/** An incoming event does not have the shape its source promises; `issues` lists every problem. */
export class MalformedEventError extends Error {
  constructor(
    readonly source: EventSource,
    readonly issues: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`malformed ${source} event: ${issues.join('; ')}`, options);
    this.name = 'MalformedEventError';
  }
}

/** An event names a site the config does not declare. */
export class UnknownSiteError extends Error {
  constructor(
    readonly site: string,
    readonly known: readonly string[],
  ) {
    super(
      `unknown site "${site}": the config declares ${known.length > 0 ? known.map((s) => `"${s}"`).join(', ') : 'no sites'}`,
    );
    this.name = 'UnknownSiteError';
  }
}

/** A deferred batch was deferred too many times; it goes to the dead-letter queue for a human. */
export class DeferralLimitExceededError extends Error {
  constructor(
    readonly distributionId: string,
    readonly deployId: string,
    readonly attempts: number,
  ) {
    super(
      `invalidation of deploy ${deployId} on ${distributionId} deferred ${attempts} times without room in flight; giving up`,
    );
    this.name = 'DeferralLimitExceededError';
  }
}

/**
 * A batch holds more paths than CloudFront admits in flight at all (3,000 file paths, 15
 * wildcards): deferring it would wait forever. Not retried: it goes to the dead-letter queue.
 */
export class BatchNeverFitsError extends Error {
  constructor(
    readonly distributionId: string,
    readonly deployId: string,
    readonly batchIndex: number,
    readonly need: { files: number; wildcards: number },
  ) {
    super(
      `batch ${batchIndex} of deploy ${deployId} on ${distributionId} has ${need.files} file paths and ${need.wildcards} wildcards: over what CloudFront admits in flight, it can never be submitted`,
    );
    this.name = 'BatchNeverFitsError';
  }
}

/** Some distributions of a deploy failed; `summary` says what did succeed, `causes` what did not. */
export class SubmissionFailedError extends Error {
  constructor(
    readonly site: string,
    readonly deployId: string,
    readonly causes: readonly { distributionId: string; error: Error }[],
  ) {
    super(
      `invalidation of deploy ${deployId} on site ${site} failed on ${causes
        .map((c) => `${c.distributionId} (${c.error.name}: ${c.error.message})`)
        .join(', ')}`,
      { cause: causes[0]?.error },
    );
    this.name = 'SubmissionFailedError';
  }
}

/** The ledger changed under every conditional write attempt; the deploy is retried as a whole. */
export class LedgerContentionError extends Error {
  constructor(
    readonly month: string,
    readonly attempts: number,
  ) {
    super(`the invalidation ledger of ${month} changed during ${attempts} conditional writes in a row`);
    this.name = 'LedgerContentionError';
  }
}
