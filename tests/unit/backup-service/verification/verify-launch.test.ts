/**
 * Launching a verification over fakes on a simulated clock: a capacity limit is a reason to
 * wait (the candidate stays queued), a refused launch is a failed verification (recorded,
 * alarmed, our AMI tagged, the next candidate still launched), and an instance EC2 does not
 * list yet is pending, not gone.
 */
import { describe, expect, it } from 'vitest';
import { Ec2LimitExceeded, InvalidBackupInput } from '../../../../shared/backup/errors.ts';
import type { VerificationLaunch } from '../../../../shared/backup/verification.ts';
import { runVerification, VERIFY_POLL_MS } from '../../../../shared/backup-service/verify.ts';
import { NEW, ourImage, policyOf, T0, world } from './verify-world.ts';

const SECOND = ourImage(
  'i-0bbbbbbbbbbbbbbb2',
  'nightly-2026-12-01',
  '2026-12-01T20:31:00.000Z',
  'ami-0000000000000bbb2',
);

/** Makes `runInstance` throw `errors` in turn for the listed AMIs, then launch as usual. */
function failLaunches(ec2: ReturnType<typeof world>['ec2'], errors: Record<string, Error[]>) {
  const launch = ec2.runInstance.bind(ec2);
  const attempts: string[] = [];
  ec2.runInstance = async (request: VerificationLaunch) => {
    attempts.push(request.imageId);
    const error = errors[request.imageId]?.shift();
    if (error !== undefined) throw error;
    return launch(request);
  };
  return attempts;
}

describe('verification launches', () => {
  it('keeps a candidate queued through an EC2 capacity limit and launches it at a later poll', async () => {
    // Prepare: the first launch meets a limit (Ec2LimitExceeded, the adapter's name for EC2's limit codes).
    const { clock, ec2, store, failed, deps } = world([NEW], { [NEW.imageId]: { passAfterSeconds: 60 } });
    const attempts = failLaunches(ec2, {
      [NEW.imageId]: [new Ec2LimitExceeded('RunInstances: ResourceLimitExceeded: too many instances')],
    });
    // Act
    const report = await runVerification(deps, { policy: policyOf(), verificationId: 'v' });
    // Assess: tried again one poll later, then verified as usual; nothing failed or alarmed.
    expect(attempts).toEqual([NEW.imageId, NEW.imageId]);
    expect(report.results).toMatchObject([{ imageId: NEW.imageId, status: 'passed' }]);
    expect(report.results[0]?.launchedAt).toBe(new Date(T0 + VERIFY_POLL_MS).toISOString());
    expect(failed).toEqual([]);
    expect(store.records).toEqual(report.results);
    expect(ec2.alive()).toHaveLength(0);
    expect(clock.ms).toBeGreaterThan(T0 + VERIFY_POLL_MS);
  });

  it('refuses a candidate whose capacity limit outlasts its deadline, and keeps its intent for the sweep', async () => {
    // Prepare: every launch of the AMI meets InsufficientInstanceCapacity (EC2 API Reference,
    // "Error codes for the Amazon EC2 API"), which the adapter names Ec2LimitExceeded.
    const { clock, ec2, store, failed, deps } = world([NEW]);
    const limit = () => new Ec2LimitExceeded('RunInstances: InsufficientInstanceCapacity: no capacity');
    const attempts = failLaunches(ec2, { [NEW.imageId]: Array.from({ length: 10_000 }, limit) });
    // Act
    const report = await runVerification(deps, { policy: policyOf(), verificationId: 'v' });
    // Assess: retried poll after poll, then failed at the deadline, recorded and alarmed.
    const deadlineMs = T0 + (policyOf().verify?.deadlineSeconds ?? Number.NaN) * 1000;
    expect(attempts.length).toBeGreaterThan(1);
    expect(clock.ms).toBeGreaterThanOrEqual(deadlineMs);
    expect(report.results).toMatchObject([
      {
        imageId: NEW.imageId,
        status: 'failed',
        reason: `launch refused: no launch before its deadline ${new Date(deadlineMs).toISOString()}`,
      },
    ]);
    expect(failed).toHaveLength(1);
    expect(ec2.alive()).toHaveLength(0);
    expect([...store.launched.values()].map((l) => l.deadline)).toEqual([new Date(deadlineMs).toISOString()]);
  });

  it('fails a verification whose launch EC2 refuses, records and alarms it, and launches the next', async () => {
    // Prepare: the first target's AMI cannot be launched (a terminal EC2 error).
    const { ec2, store, failed, deps } = world([NEW, SECOND]);
    const refusal = new InvalidBackupInput('RunInstances: InvalidParameterValue: unsupported instance type');
    const attempts = failLaunches(ec2, { [NEW.imageId]: [refusal] });
    // Act
    const report = await runVerification(deps, { policy: policyOf(), verificationId: 'verify-nightly-9' });
    // Assess
    expect(attempts).toEqual([NEW.imageId, SECOND.imageId]);
    const refused = report.results.find((r) => r.imageId === NEW.imageId);
    expect(refused).toEqual({
      verificationId: 'verify-nightly-9',
      policy: 'nightly',
      target: 'i-0aaaaaaaaaaaaaaa1',
      region: 'ap-south-1',
      imageId: NEW.imageId,
      imageCreatedAt: NEW.tags['shipyard:created-at'],
      ours: true,
      status: 'failed',
      reason: 'launch refused: RunInstances: InvalidParameterValue: unsupported instance type',
      finishedAt: new Date(T0).toISOString(),
    });
    expect(report.results.find((r) => r.imageId === SECOND.imageId)?.status).toBe('passed');
    expect(store.records).toContainEqual(refused);
    expect(failed).toEqual([refused]);
    expect(ec2.imageTags.get(NEW.imageId)).toEqual([
      { Key: 'shipyard:verification-result', Value: 'failed' },
    ]);
    expect(ec2.alive()).toHaveLength(0);
  });

  it('never tags a foreign AMI whose launch was refused', async () => {
    const golden = { ...NEW, imageId: 'ami-0f0f0f0f0f0f0f0f0', name: 'golden', tags: { Golden: 'yes' } };
    const { ec2, failed, deps } = world([golden]);
    failLaunches(ec2, {
      [golden.imageId]: [new InvalidBackupInput('RunInstances: InvalidParameterValue: x')],
    });
    const report = await runVerification(deps, {
      policy: policyOf({ images: { imageIds: [golden.imageId] } }),
      verificationId: 'v',
    });
    expect(report.results).toMatchObject([{ imageId: golden.imageId, ours: false, status: 'failed' }]);
    expect(failed).toHaveLength(1);
    expect(ec2.imageTags.size).toBe(0);
  });

  it('holds an instance EC2 does not list yet as pending, and verifies it once listed', async () => {
    // Prepare: just after RunInstances, DescribeInstances may not show the instance (eventual consistency).
    const { ec2, deps } = world([NEW], { [NEW.imageId]: { passAfterSeconds: 60 } });
    const probe = ec2.probe.bind(ec2);
    let polls = 0;
    ec2.probe = async (ids) => (++polls <= 3 ? new Map() : probe(ids));
    // Act
    const report = await runVerification(deps, { policy: policyOf(), verificationId: 'v' });
    // Assess: unseen for three polls, neither failed nor terminated early; passed at the first poll after 60 s.
    expect(polls).toBeGreaterThan(3);
    expect(report.results).toMatchObject([{ status: 'passed', secondsToPass: 60 }]);
    expect(ec2.alive()).toHaveLength(0);
  });
});
