import { describe, expect, it } from 'vitest';
import { toBackupError } from '../../../shared/aws/ec2-errors.ts';
import { ImageCopyFailed } from '../../../shared/backup/errors.ts';
import { dryRunEc2Port } from '../../../shared/backup-service/ec2-dry-run.ts';
import type { Ec2Reader } from '../../../shared/backup-service/ports/ec2.ts';

/** An SDK v3 service exception as the EC2 client throws it. */
const sdkError = (code: string, status: number) =>
  Object.assign(new Error(`${code} message`), { name: code, $metadata: { httpStatusCode: status } });

describe('EC2 errors → named backup errors', () => {
  it.each([
    ['RequestLimitExceeded', 503, 'Ec2Throttled'],
    ['ConcurrentSnapshotLimitExceeded', 400, 'Ec2LimitExceeded'],
    ['ResourceLimitExceeded', 400, 'Ec2LimitExceeded'],
    ['InternalError', 500, 'Ec2Unavailable'],
    ['SomethingNew', 503, 'Ec2Unavailable'],
    ['UnauthorizedOperation', 403, 'Ec2AccessDenied'],
    ['InvalidInstanceID.NotFound', 400, 'TargetNotFound'],
    ['IdempotentParameterMismatch', 400, 'InvalidBackupInput'],
    ['InvalidKmsKey.Unknown', 400, 'ImageCopyFailed'],
  ])('%s (HTTP %i) → %s', (code, status, name) => {
    const error = toBackupError(sdkError(code, status), 'CopyImage (us-east-1)', ImageCopyFailed);
    expect(error.name).toBe(name);
    expect(error.message).toContain('CopyImage (us-east-1)');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('an error without an HTTP answer (connection reset) is Ec2Unavailable', () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' });
    expect(toBackupError(reset, 'DescribeImages', ImageCopyFailed).name).toBe('Ec2Unavailable');
  });
});

describe('dry-run EC2 port', () => {
  const reads: string[] = [];
  const reader: Ec2Reader = {
    region: 'eu-west-1',
    describeInstances: async () => {
      reads.push('instances');
      return [];
    },
    describeVolumes: async () => {
      reads.push('volumes');
      return [];
    },
    describeSnapshots: async () => {
      reads.push('snapshots');
      return [];
    },
    describeImages: async () => {
      reads.push('images');
      return [];
    },
    describeLaunchImage: async () => {
      reads.push('launch image');
      return undefined;
    },
    getInstanceUefiData: async () => {
      reads.push('uefi data');
      return undefined;
    },
  };

  it('reads through and records deletions without sending them', async () => {
    const port = dryRunEc2Port(reader);
    await port.describeImages({});
    expect(await port.deregisterImage('ami-1', true)).toEqual({ kind: 'deregistered', snapshots: [] });
    expect(await port.deleteSnapshot('snap-1')).toBe('deleted');
    expect(reads).toEqual(['images']);
    expect(port.skipped).toEqual([
      { region: 'eu-west-1', action: 'DeregisterImage', resourceId: 'ami-1' },
      { region: 'eu-west-1', action: 'DeleteSnapshot', resourceId: 'snap-1' },
    ]);
  });

  it('refuses to create anything', async () => {
    const port = dryRunEc2Port(reader);
    await expect(
      port.createSnapshot({ volumeId: 'vol-1', description: '', tagSpecifications: [] }),
    ).rejects.toThrow(/not allowed in a dry run/);
    await expect(
      port.createImage({
        instanceId: 'i-1',
        name: 'n',
        description: '',
        excludedDeviceNames: [],
        tagSpecifications: [],
      }),
    ).rejects.toThrow(/CreateImage is not allowed in a dry run/);
  });
});
