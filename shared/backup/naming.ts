/**
 * Deterministic names: the same run always produces the same AMI name, ClientToken and
 * execution name, which is what makes re-runs idempotent (RegisterImage has no
 * ClientToken: a duplicate name is how a second attempt is recognised).
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { InvalidBackupInput } from './errors.ts';

/** AMI names: 3–128 chars of `[A-Za-z0-9()[] ./-'@_]`, unique per account and region. */
const AMI_NAME_PATTERN = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;
const AMI_NAME_MAX = 128;
const SNAPSHOT_DESCRIPTION_MAX = 255;
const CLIENT_TOKEN_MAX = 64;
const EXECUTION_NAME_MAX = 80;

/** Characters allowed inside one AMI-name component (the AMI set minus the `/` separator). */
const AMI_COMPONENT_CHAR = /[A-Za-z0-9()[\] .\-'@_]/;
const HASH_HEX_LENGTH = 12;

/**
 * Step Functions execution names: 1–80 chars, no whitespace, brackets, wildcards,
 * `"#%\^|~`$&,;:/` or control characters.
 */
const EXECUTION_NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

/** C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F). */
const isControl = (ch: string): boolean => {
  const code = ch.codePointAt(0) ?? 0;
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
};

function sha256Hex(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * True when `name` is a valid Step Functions execution name (and so a valid run id).
 *
 * @example
 * isValidExecutionName('nightly-2026-11-20'); // true
 * isValidExecutionName('a b');                // false
 */
export function isValidExecutionName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= EXECUTION_NAME_MAX &&
    !EXECUTION_NAME_FORBIDDEN.test(name) &&
    ![...name].some(isControl)
  );
}

/**
 * True when `name` is a valid AMI name.
 *
 * @example
 * isValidAmiName('shipyard/nightly/i-0abc/nightly-2026-11-20'); // true
 */
export function isValidAmiName(name: string): boolean {
  return AMI_NAME_PATTERN.test(name);
}

/** Inputs of an AMI name. */
export interface ImageNameInput {
  policy: string;
  target: string;
  runId: string;
}

/**
 * The AMI name of one run of one target: `shipyard/<policy>/<target>/<runId>` when every
 * component is already valid and it fits; otherwise each invalid character becomes `_`,
 * the result is truncated, and `-<12 hex of sha256(policy, target, runId)>` is appended so
 * that different inputs never share a name. Copies reuse the source name (names are unique
 * per region).
 *
 * @example
 * imageName({ policy: 'nightly', target: 'i-0abc', runId: 'nightly-2026-11-20' });
 * // 'shipyard/nightly/i-0abc/nightly-2026-11-20'
 * imageName({ policy: 'nightly', target: 'i-0abc', runId: 'run#1' });
 * // 'shipyard/nightly/i-0abc/run_1-3f9a…' (hash suffix)
 */
export function imageName(input: ImageNameInput): string {
  const components = [input.policy, input.target, input.runId];
  const plain = `shipyard/${components.join('/')}`;
  const componentsValid = components.every(
    (c) => c.length > 0 && [...c].every((ch) => AMI_COMPONENT_CHAR.test(ch)),
  );
  if (componentsValid && plain.length <= AMI_NAME_MAX) return plain;
  const sanitized = `shipyard/${components.map((c) => [...c].map((ch) => (AMI_COMPONENT_CHAR.test(ch) ? ch : '_')).join('')).join('/')}`;
  const suffix = `-${sha256Hex(components).slice(0, HASH_HEX_LENGTH)}`;
  return sanitized.slice(0, AMI_NAME_MAX - suffix.length) + suffix;
}

/**
 * Snapshot description (≤255 chars, control characters removed).
 *
 * @example
 * snapshotDescription({ policy: 'nightly', target: 'vol-1', runId: 'nightly-2026-11-20' });
 * // 'Shipyard backup of vol-1 (policy nightly, run nightly-2026-11-20)'
 */
export function snapshotDescription(input: ImageNameInput): string {
  const text = [...`Shipyard backup of ${input.target} (policy ${input.policy}, run ${input.runId})`]
    .map((ch) => (isControl(ch) ? ' ' : ch))
    .join('');
  return text.length <= SNAPSHOT_DESCRIPTION_MAX ? text : `${text.slice(0, SNAPSHOT_DESCRIPTION_MAX - 1)}…`;
}

/** Inputs of a CopyImage ClientToken. */
export interface CopyTokenInput {
  runId: string;
  sourceImageId: string;
  destinationRegion: string;
}

/**
 * `CopyImage` ClientToken: `sy-` + 61 hex chars of sha256(run, source image, destination
 * region) — 64 ASCII chars, deterministic, different for each (run, image, region).
 *
 * @example
 * copyImageClientToken({ runId: 'nightly-2026-11-20', sourceImageId: 'ami-1', destinationRegion: 'eu-west-1' });
 * // 'sy-5c1d…' (64 chars)
 */
export function copyImageClientToken(input: CopyTokenInput): string {
  const hash = sha256Hex([input.runId, input.sourceImageId, input.destinationRegion]);
  return `sy-${hash.slice(0, CLIENT_TOKEN_MAX - 3)}`;
}

function toDateTime(at: Date | string, zone: string): DateTime {
  const dt =
    typeof at === 'string' ? DateTime.fromISO(at, { zone: 'utc' }) : DateTime.fromJSDate(at, { zone: 'utc' });
  if (!dt.isValid) throw new InvalidBackupInput(`invalid instant: ${String(at)}`);
  const zoned = dt.setZone(zone);
  if (!zoned.isValid) throw new InvalidBackupInput(`invalid time zone: ${zone}`);
  return zoned;
}

function assertExecutionName(name: string): string {
  if (!isValidExecutionName(name)) throw new InvalidBackupInput(`not a valid execution name: ${name}`);
  return name;
}

/**
 * The idempotent execution name (and run id) of a scheduled run: `<policy>-<yyyy-mm-dd>`,
 * the date taken **in the policy's time zone** (EventBridge Scheduler passes the scheduled
 * time in UTC). A duplicate trigger on the same local day gets the same name, so Step
 * Functions refuses a second execution.
 *
 * @example
 * scheduledExecutionName('nightly', '2026-11-19T23:30:00Z', 'Europe/Berlin'); // 'nightly-2026-11-20'
 */
export function scheduledExecutionName(policy: string, scheduledAt: Date | string, timeZone: string): string {
  return assertExecutionName(`${policy}-${toDateTime(scheduledAt, timeZone).toFormat('yyyy-MM-dd')}`);
}

/**
 * Run id of an on-demand run when the caller chose no name: `<policy>-manual-<UTC basic ISO>`.
 *
 * @example
 * onDemandExecutionName('nightly', '2026-11-20T10:15:30.123Z'); // 'nightly-manual-20261120T101530Z'
 */
export function onDemandExecutionName(policy: string, startedAt: Date | string): string {
  return assertExecutionName(
    `${policy}-manual-${toDateTime(startedAt, 'utc').toFormat("yyyyMMdd'T'HHmmss'Z'")}`,
  );
}

/**
 * The run id of an execution is its name (unique per state machine for 90 days); this
 * validates it so it can be used in tags and names.
 *
 * @example
 * runIdFromExecutionName('nightly-2026-11-20'); // 'nightly-2026-11-20'
 */
export function runIdFromExecutionName(executionName: string): string {
  return assertExecutionName(executionName);
}
