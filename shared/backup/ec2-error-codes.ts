import {
  type BackupError,
  Ec2AccessDenied,
  Ec2LimitExceeded,
  Ec2Throttled,
  Ec2Unavailable,
  InvalidBackupInput,
  TargetNotFound,
} from './errors.ts';

/** What an adapter knows about a failed EC2 call (the SDK's `name`/`Code` and HTTP status). */
export interface Ec2Failure {
  code: string;
  message?: string;
  httpStatus?: number;
}

const THROTTLING = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']);
const LIMITS = new Set([
  'ConcurrentSnapshotLimitExceeded',
  'ResourceLimitExceeded',
  'SnapshotCreationPerVolumeRateExceeded',
  'SnapshotLimitExceeded',
  'AMIQuotaExceeded',
  // A launch past the account's instance or vCPU quota, or into a zone without capacity for
  // the type (EC2 API Reference, "Error codes for the Amazon EC2 API"): it fits once other
  // instances end or capacity returns, so the verification waits (up to its deadline).
  'InstanceLimitExceeded',
  'VcpuLimitExceeded',
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
]);
const UNAVAILABLE = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable']);
const ACCESS = new Set(['UnauthorizedOperation', 'AccessDenied', 'AuthFailure', 'OptInRequired']);
const TARGET_GONE = new Set([
  'InvalidInstanceID.NotFound',
  'InvalidInstanceID.Malformed',
  'InvalidVolume.NotFound',
  'InvalidVolumeID.Malformed',
]);
const BAD_INPUT = new Set([
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'InvalidParameter',
  'MissingParameter',
  'IdempotentParameterMismatch',
  'InvalidAMIName.Malformed',
  'InvalidBlockDeviceMapping',
]);

/**
 * Maps a generic EC2 failure to the workflow's named error, or `undefined` when the
 * code is step-specific (e.g. `InvalidAMIName.Duplicate`, `InvalidSnapshot.InUse`) and
 * the caller must decide. Throttling is checked before the HTTP status (it is a 503).
 *
 * @example
 * classifyEc2Failure({ code: 'RequestLimitExceeded', httpStatus: 503 })?.name; // 'Ec2Throttled'
 * classifyEc2Failure({ code: 'InternalError', httpStatus: 500 })?.name;        // 'Ec2Unavailable'
 */
export function classifyEc2Failure(failure: Ec2Failure, cause?: unknown): BackupError | undefined {
  const message = `${failure.code}: ${failure.message ?? 'EC2 request failed'}`;
  const options = { cause };
  if (THROTTLING.has(failure.code)) return new Ec2Throttled(message, options);
  if (LIMITS.has(failure.code)) return new Ec2LimitExceeded(message, options);
  if (ACCESS.has(failure.code)) return new Ec2AccessDenied(message, options);
  if (TARGET_GONE.has(failure.code)) return new TargetNotFound(message, options);
  if (BAD_INPUT.has(failure.code)) return new InvalidBackupInput(message, options);
  if (UNAVAILABLE.has(failure.code) || (failure.httpStatus !== undefined && failure.httpStatus >= 500)) {
    return new Ec2Unavailable(message, options);
  }
  return undefined;
}
