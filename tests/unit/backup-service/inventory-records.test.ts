import { describe, expect, it } from 'vitest';
import { toSnapshotRecord } from '../../../shared/backup-service/rotation.ts';

describe('toSnapshotRecord', () => {
  it('carries the VolumeId rotation checks a source-region snapshot against, and omits it when EC2 gave none', () => {
    // Prepare
    const base = {
      snapshotId: 'snap-1',
      state: 'completed',
      startTime: '2026-11-20T01:00:00.000Z',
      tags: {},
    };
    // Act
    const withVolume = toSnapshotRecord({ ...base, volumeId: 'vol-0a0000000000000a0', volumeSizeGiB: 8 });
    const without = toSnapshotRecord({ ...base, volumeSizeGiB: 8 });
    // Assess
    expect(withVolume.volumeId).toBe('vol-0a0000000000000a0');
    expect('volumeId' in without).toBe(false);
  });
});
