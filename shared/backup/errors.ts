/**
 * Named errors of the backup workflow. Their `name` is the contract with the state
 * machine: `Retry` in `statemachines/backup.asl.yaml` names exactly the transient ones,
 * `Catch` the terminal ones. Names are literal strings (a minifier renames classes).
 */

/** Options every backup error accepts. */
export interface BackupErrorOptions {
  cause?: unknown;
}

/** Base class: `transient` tells whether retrying the same step can succeed. */
export abstract class BackupError extends Error {
  abstract readonly transient: boolean;
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A concrete backup error, as a step names the terminal error of its calls. */
export type BackupErrorClass = new (message: string, options?: BackupErrorOptions) => BackupError;

abstract class TransientBackupError extends BackupError {
  readonly transient = true;
}

abstract class TerminalBackupError extends BackupError {
  readonly transient = false;
}

// ---------------------------------------------------------------- transient

/** Snapshots still `pending` where the step needs them `completed`. */
export class SnapshotNotReady extends TransientBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'SnapshotNotReady';
  }
}

/** AMI still `pending`, or not yet visible (EC2 eventual consistency: `InvalidAMIID.NotFound` just after creation). */
export class ImageNotReady extends TransientBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'ImageNotReady';
  }
}

/** A cross-region copy still `pending` (or not yet visible in the destination). */
export class CopyNotReady extends TransientBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'CopyNotReady';
  }
}

/** `RequestLimitExceeded` / `Throttling`: back off with jitter. */
export class Ec2Throttled extends TransientBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'Ec2Throttled';
  }
}

/** `ConcurrentSnapshotLimitExceeded`, `ResourceLimitExceeded`, `SnapshotCreationPerVolumeRateExceeded`. */
export class Ec2LimitExceeded extends TransientBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'Ec2LimitExceeded';
  }
}

/** 5xx from EC2 (`InternalError`, `Unavailable`, …). */
export class Ec2Unavailable extends TransientBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'Ec2Unavailable';
  }
}

// ---------------------------------------------------------------- terminal

/** A snapshot ended in `error` (for `CreateSnapshots` the whole set fails). */
export class SnapshotFailed extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'SnapshotFailed';
  }
}

/** `RegisterImage` was rejected or the AMI ended `failed`. */
export class ImageRegistrationFailed extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'ImageRegistrationFailed';
  }
}

/** `CopyImage` was rejected or the copy ended `failed` (e.g. bad KMS key, asynchronously). */
export class ImageCopyFailed extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'ImageCopyFailed';
  }
}

/** Setting launch permissions failed (e.g. public sharing blocked, default-key encryption). */
export class ImageShareFailed extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'ImageShareFailed';
  }
}

/** The instance or volume to back up does not exist (any more). */
export class TargetNotFound extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'TargetNotFound';
  }
}

/** Task input, policy or source description that cannot produce a valid request. */
export class InvalidBackupInput extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'InvalidBackupInput';
  }
}

/** `UnauthorizedOperation` / `AccessDenied`: retrying will not help. */
export class Ec2AccessDenied extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'Ec2AccessDenied';
  }
}

/** A Wait-state loop used up its attempts (or its elapsed-time bound). */
export class WaitAttemptsExhausted extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'WaitAttemptsExhausted';
  }
}

/**
 * The policy's selection is larger than `maxTargetsPerRun`: the run fails before anything
 * is created (a tag that suddenly matches hundreds of instances must not bill hundreds of
 * snapshots, AMIs and copies). A dry run reports the count and the cap instead.
 */
export class TooManyTargets extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'TooManyTargets';
  }
}

/**
 * The run id already has a run record from another execution: a run id produces backups
 * once (a reused execution name, or an input naming another run, never makes a second set).
 */
export class RunAlreadyRecorded extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'RunAlreadyRecorded';
  }
}

/**
 * The policy a step received in `run.policy` is not the deployed policy of that name (its
 * version differs): the step refuses to act on a policy the stack did not deploy.
 */
export class RunPolicyMismatch extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'RunPolicyMismatch';
  }
}

/**
 * A file of the run in the results bucket — the target list the Distributed Map reads, the
 * manifest or a result file its ResultWriter wrote — is missing or malformed: the summary
 * cannot be trusted, so the run fails named (the file and what is wrong with it).
 */
export class RunFileUnreadable extends TerminalBackupError {
  constructor(message: string, options?: BackupErrorOptions) {
    super(message, options);
    this.name = 'RunFileUnreadable';
  }
}

/** Names the ASL `Retry` must cover (with backoff and jitter). */
export const TRANSIENT_ERROR_NAMES = [
  'SnapshotNotReady',
  'ImageNotReady',
  'CopyNotReady',
  'Ec2Throttled',
  'Ec2LimitExceeded',
  'Ec2Unavailable',
] as const;

/** Names the ASL `Catch` must handle (fail the target / region with the reason). */
export const TERMINAL_ERROR_NAMES = [
  'SnapshotFailed',
  'ImageRegistrationFailed',
  'ImageCopyFailed',
  'ImageShareFailed',
  'TargetNotFound',
  'InvalidBackupInput',
  'Ec2AccessDenied',
  'WaitAttemptsExhausted',
  'TooManyTargets',
  'RunAlreadyRecorded',
  'RunPolicyMismatch',
  'RunFileUnreadable',
] as const;

type TransientErrorName = (typeof TRANSIENT_ERROR_NAMES)[number];
type TerminalErrorName = (typeof TERMINAL_ERROR_NAMES)[number];
export type BackupErrorName = TransientErrorName | TerminalErrorName;

/** Every backup error class, by name (for adapters and the ASL contract test). */
export const BACKUP_ERRORS = {
  SnapshotNotReady,
  ImageNotReady,
  CopyNotReady,
  Ec2Throttled,
  Ec2LimitExceeded,
  Ec2Unavailable,
  SnapshotFailed,
  ImageRegistrationFailed,
  ImageCopyFailed,
  ImageShareFailed,
  TargetNotFound,
  InvalidBackupInput,
  Ec2AccessDenied,
  WaitAttemptsExhausted,
  TooManyTargets,
  RunAlreadyRecorded,
  RunPolicyMismatch,
  RunFileUnreadable,
} as const satisfies Record<
  BackupErrorName,
  new (
    message: string,
    options?: BackupErrorOptions,
  ) => BackupError
>;

/**
 * True for errors the workflow should retry.
 *
 * @example
 * isTransientBackupError(new Ec2Throttled('slow down')); // true
 */
export function isTransientBackupError(error: unknown): boolean {
  return error instanceof Error && (TRANSIENT_ERROR_NAMES as readonly string[]).includes(error.name);
}
