/** Exit codes the CLI promises to scripts. */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed (a backup failed, an invalidation was rejected). */
  failed: 1,
  /** Bad arguments or an invalid config file. */
  usage: 2,
  /** The AWS endpoint or local cloud could not be reached, or credentials are missing. */
  unreachable: 3,
} as const;

/** A problem the user can fix; printed as one line without a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}
