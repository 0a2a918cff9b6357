/** The per-target status `backup list` and the summary show: the latest restore test decides. */
import { describe, expect, it } from 'vitest';
import { targetVerification, type VerificationRecord } from '../../../shared/backup/verification-record.ts';

const record = (status: 'passed' | 'failed', finishedAt: string, imageId: string): VerificationRecord => ({
  verificationId: 'v',
  policy: 'nightly',
  target: 'i-1',
  region: 'ap-south-1',
  imageId,
  imageCreatedAt: '2026-12-01T00:00:00.000Z',
  ours: true,
  status,
  ...(status === 'passed' ? { secondsToPass: 95 } : { reason: 'instance status check impaired' }),
  finishedAt,
});
const key = { policy: 'nightly', target: 'i-1', region: 'ap-south-1' };

describe('targetVerification', () => {
  it('is never verified without a record, else the latest result', () => {
    expect(targetVerification([], key)).toEqual({ status: 'never verified' });
    const passed = record('passed', '2026-12-01T03:00:00.000Z', 'ami-1');
    const failed = record('failed', '2026-12-02T03:00:00.000Z', 'ami-2');
    expect(targetVerification([passed], key)).toEqual({
      status: 'verified',
      imageId: 'ami-1',
      at: passed.finishedAt,
      secondsToPass: 95,
    });
    expect(targetVerification([failed, passed], key)).toMatchObject({ status: 'failed', imageId: 'ami-2' });
    expect(targetVerification([passed], { ...key, region: 'us-west-1' })).toEqual({
      status: 'never verified',
    });
  });
});
