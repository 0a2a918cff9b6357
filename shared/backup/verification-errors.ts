/**
 * Named errors of restore verification and failover drills. A refusal happens before
 * anything is launched or dialled: it names the config field and what was expected.
 */

/** The verification cannot start (bad subnet or security group, over the cap): nothing was launched. */
export class VerificationRefused extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
    this.name = 'VerificationRefused';
  }
}

/** The drill cannot start (parity gate, unknown accelerator, fail-open): nothing was dialled. */
export class DrillRefused extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
    this.name = 'DrillRefused';
  }
}

/** Another drill holds the accelerator's lock. */
export class DrillLocked extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillLocked';
  }
}

/** A dial Shipyard wrote does not read back as written. */
export class DialNotApplied extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DialNotApplied';
  }
}

/** The recorded dials could not be restored (the accelerator stayed IN_PROGRESS, a write failed). */
export class DrillRevertFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrillRevertFailed';
  }
}
