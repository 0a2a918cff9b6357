import { describe, expect, it } from 'vitest';
import { classifyEc2Failure } from '../../../shared/backup/ec2-error-codes.ts';
import {
  BACKUP_ERRORS,
  isTransientBackupError,
  SnapshotFailed,
  TERMINAL_ERROR_NAMES,
  TRANSIENT_ERROR_NAMES,
} from '../../../shared/backup/errors.ts';

describe('backup errors', () => {
  it.each(Object.entries(BACKUP_ERRORS))(
    '%s has a literal name, keeps its cause and says whether it is transient',
    (name, ErrorClass) => {
      const cause = new Error('root');
      const error = new ErrorClass('boom', { cause });
      expect(error.name).toBe(name);
      expect(error.message).toBe('boom');
      expect(error.cause).toBe(cause);
      expect(error).toBeInstanceOf(Error);
      expect(error.transient).toBe((TRANSIENT_ERROR_NAMES as readonly string[]).includes(name));
    },
  );

  it('lists every error exactly once, as transient or terminal', () => {
    const listed = [...TRANSIENT_ERROR_NAMES, ...TERMINAL_ERROR_NAMES];
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(Object.keys(BACKUP_ERRORS).sort());
  });

  it('has no cause property when none is given', () => {
    expect('cause' in new SnapshotFailed('x')).toBe(false);
  });

  it('recognises transient errors by name', () => {
    expect(isTransientBackupError(new BACKUP_ERRORS.Ec2Throttled('t'))).toBe(true);
    expect(isTransientBackupError(new SnapshotFailed('x'))).toBe(false);
    expect(isTransientBackupError('Ec2Throttled')).toBe(false);
  });
});

describe('classifyEc2Failure', () => {
  it.each([
    ['RequestLimitExceeded', 503, 'Ec2Throttled'],
    ['Throttling', 400, 'Ec2Throttled'],
    ['ConcurrentSnapshotLimitExceeded', 400, 'Ec2LimitExceeded'],
    ['ResourceLimitExceeded', 400, 'Ec2LimitExceeded'],
    ['SnapshotCreationPerVolumeRateExceeded', 400, 'Ec2LimitExceeded'],
    // EC2 API Reference, "Error codes for the Amazon EC2 API": quota and capacity refusals of a launch.
    ['InstanceLimitExceeded', 400, 'Ec2LimitExceeded'],
    ['VcpuLimitExceeded', 400, 'Ec2LimitExceeded'],
    ['InsufficientInstanceCapacity', 500, 'Ec2LimitExceeded'],
    ['InsufficientHostCapacity', 500, 'Ec2LimitExceeded'],
    ['InternalError', 500, 'Ec2Unavailable'],
    ['SomethingNew', 502, 'Ec2Unavailable'],
    ['UnauthorizedOperation', 403, 'Ec2AccessDenied'],
    ['InvalidInstanceID.NotFound', 400, 'TargetNotFound'],
    ['InvalidVolume.NotFound', 400, 'TargetNotFound'],
    ['IdempotentParameterMismatch', 400, 'InvalidBackupInput'],
    ['InvalidParameterValue', 400, 'InvalidBackupInput'],
  ])('%s (HTTP %i) → %s', (code, httpStatus, expected) => {
    const cause = new Error(code);
    const error = classifyEc2Failure({ code, httpStatus, message: 'm' }, cause);
    expect(error?.name).toBe(expected);
    expect(error?.message).toBe(`${code}: m`);
    expect(error?.cause).toBe(cause);
  });

  it.each(['InvalidAMIName.Duplicate', 'InvalidSnapshot.InUse', 'InvalidAMIID.NotFound'])(
    'leaves step-specific %s to the caller',
    (code) => {
      expect(classifyEc2Failure({ code, httpStatus: 400 })).toBeUndefined();
    },
  );
});
