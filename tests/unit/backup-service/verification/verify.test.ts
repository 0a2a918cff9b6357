/**
 * Restore verification over fakes of its ports on a simulated clock: pass, fail, timeout,
 * crash cleanup, refusals before anything launches, the cost caps, foreign AMIs.
 */
import { describe, expect, it } from 'vitest';
import type { VerificationLaunch } from '../../../../shared/backup/verification.ts';
import { VerificationRefused } from '../../../../shared/backup/verification-errors.ts';
import type { VerifyImage } from '../../../../shared/backup-service/ports/verification.ts';
import { runVerification } from '../../../../shared/backup-service/verify.ts';
import { sweepVerifications } from '../../../../shared/backup-service/verify-sweep.ts';
import { ISOLATED, NEW, OLD, ourImage, policyOf, REGION, SG, SUBNET, T0, world } from './verify-world.ts';

describe('runVerification', () => {
  it('passes the newest backup on running + both status checks ok, records the time, tags it, terminates', async () => {
    // Prepare
    const { ec2, store, failed, deps } = world([OLD, NEW], { [NEW.imageId]: { passAfterSeconds: 95 } });
    // Act
    const report = await runVerification(deps, { policy: policyOf(), verificationId: 'verify-nightly-1' });
    // Assess
    expect(report.results).toHaveLength(1);
    const [result] = report.results;
    expect(result).toMatchObject({ imageId: NEW.imageId, status: 'passed', target: 'i-0aaaaaaaaaaaaaaa1' });
    // Polled every 15 s: the first poll at or after 95 s is 105 s.
    expect(result?.secondsToPass).toBe(105);
    expect(ec2.launches).toHaveLength(1);
    const [launch] = ec2.launches;
    expect(launch).toMatchObject({
      imageId: NEW.imageId,
      instanceType: 't3.micro',
      subnetId: SUBNET,
      securityGroupIds: [SG],
      associatePublicIpAddress: false,
      instanceInitiatedShutdownBehavior: 'terminate',
    });
    expect(launch?.tagSpecifications.map((t) => t.ResourceType)).toEqual(['instance', 'volume']);
    expect(ec2.alive()).toHaveLength(0);
    expect(ec2.imageTags.get(NEW.imageId)).toEqual([
      { Key: 'shipyard:verified', Value: '2026-12-02' },
      { Key: 'shipyard:verification-result', Value: 'passed' },
    ]);
    expect(store.records).toEqual(report.results);
    expect(store.launched.size).toBe(0);
    expect(failed).toEqual([]);
  });

  it('fails an AMI whose instance status check goes impaired, alarms, tags the result, terminates', async () => {
    const { ec2, failed, deps } = world([NEW], { [NEW.imageId]: 'impaired' });
    const report = await runVerification(deps, { policy: policyOf(), verificationId: 'verify-nightly-2' });
    expect(report.results[0]).toMatchObject({ status: 'failed', reason: 'instance status check impaired' });
    expect(failed.map((r) => r.imageId)).toEqual([NEW.imageId]);
    expect(ec2.imageTags.get(NEW.imageId)).toEqual([
      { Key: 'shipyard:verification-result', Value: 'failed' },
    ]);
    expect(ec2.alive()).toHaveLength(0);
  });

  it('fails at the deadline an AMI that never passes its checks, and terminates it', async () => {
    const { clock, ec2, deps } = world([NEW], { [NEW.imageId]: 'never' });
    const report = await runVerification(deps, {
      policy: policyOf({ deadlineSeconds: 300 }),
      verificationId: 'verify-nightly-3',
    });
    expect(report.results[0]?.status).toBe('failed');
    expect(report.results[0]?.reason).toMatch(
      /^timeout: not passed within 300 s \(system status check initializing, instance status check initializing\)$/,
    );
    expect(clock.ms - T0).toBe(300_000);
    expect(ec2.alive()).toHaveLength(0);
  });

  it('waits for SSM Online when the probe is asked for', async () => {
    const { deps } = world([NEW], { [NEW.imageId]: { passAfterSeconds: 30 } });
    let online = false;
    deps.ssm = {
      pingStatus: async (_r, ids) => new Map(ids.map((id) => [id, online ? 'Online' : 'ConnectionLost'])),
    };
    const sleep = deps.sleep;
    let polls = 0;
    deps.sleep = async (ms) => {
      polls += 1;
      if (polls === 10) online = true;
      await sleep(ms);
    };
    const report = await runVerification(deps, {
      policy: policyOf({ probes: { ssm: true } }),
      verificationId: 'verify-nightly-4',
    });
    expect(report.results[0]).toMatchObject({ status: 'passed', secondsToPass: 150 });
  });

  it('terminates what it launched when the run throws mid-way (finally)', async () => {
    const { ec2, deps } = world([NEW]);
    deps.sleep = async () => {
      throw new Error('Lambda about to time out');
    };
    await expect(
      runVerification(deps, { policy: policyOf(), verificationId: 'verify-nightly-5' }),
    ).rejects.toThrow('Lambda about to time out');
    expect(ec2.launches).toHaveLength(1);
    expect(ec2.alive()).toHaveLength(0);
  });

  it('after a crash that terminated nothing, the sweep terminates it past its deadline, by tag and by record', async () => {
    // Prepare: a run crashes hard (its terminate calls fail too), leaving its instance running.
    const { clock, ec2, store, deps } = world([NEW]);
    ec2.terminateError = new Error('connection reset');
    deps.sleep = async () => {
      throw new Error('crash');
    };
    await expect(
      runVerification(deps, { policy: policyOf(), verificationId: 'verify-nightly-6' }),
    ).rejects.toThrow();
    ec2.terminateError = undefined;
    const [left] = ec2.alive();
    expect(left).toBeDefined();
    // An instance of ours whose tags were stripped, known only by its recorded launch; and a stranger.
    // (Each its own ClientToken: the same token would return the same instance, as on EC2.)
    const stripped = await ec2.runInstance({
      ...(ec2.launches[0] as VerificationLaunch),
      clientToken: 'stripped-launch',
      tagSpecifications: [],
    });
    await store.recordLaunch({
      region: REGION,
      instanceId: stripped.instanceId,
      deadline: new Date(T0 + 900_000).toISOString(),
    });
    const stranger = await ec2.runInstance({
      ...(ec2.launches[0] as VerificationLaunch),
      clientToken: 'someone-else',
      tagSpecifications: [],
    });
    // Act: before the deadline nothing is swept; after it both of ours are.
    const early = await sweepVerifications({ ec2: () => ec2, store, now: clock.now }, [REGION]);
    clock.ms = T0 + 900_000;
    const late = await sweepVerifications({ ec2: () => ec2, store, now: clock.now }, [REGION]);
    // Assess
    expect(early[REGION]).toEqual([]);
    expect(late[REGION]).toEqual([left?.instanceId, stripped.instanceId].sort());
    expect(ec2.alive().map((i) => i.instanceId)).toEqual([stranger.instanceId]);
    expect(store.launched.size).toBe(0);
  });

  it('refuses a subnet with a route to an internet gateway, naming the field, and launches nothing', async () => {
    const { ec2, deps } = world(
      [NEW],
      {},
      {
        ...ISOLATED,
        subnet: { vpcId: 'vpc-1', routes: [{ destination: '0.0.0.0/0', target: 'igw-0123' }] },
      },
    );
    const run = runVerification(deps, { policy: policyOf(), verificationId: 'verify-nightly-7' });
    await expect(run).rejects.toBeInstanceOf(VerificationRefused);
    await expect(run).rejects.toThrow(
      `backupPolicies[nightly].verify.regions[0].subnetId: subnet ${SUBNET} has a route to the internet (0.0.0.0/0 → igw-0123)`,
    );
    expect(ec2.launches).toEqual([]);
  });

  it('refuses a security group with inbound rules and unknown ids', async () => {
    const withInbound = world(
      [NEW],
      {},
      { ...ISOLATED, securityGroup: { vpcId: 'vpc-1', inboundRuleCount: 2 } },
    );
    await expect(
      runVerification(withInbound.deps, { policy: policyOf(), verificationId: 'v' }),
    ).rejects.toThrow(
      `verify.regions[0].securityGroupId: security group ${SG} has 2 inbound rule(s): expected none`,
    );
    const unknown = world([NEW], {}, {});
    const error = await runVerification(unknown.deps, { policy: policyOf(), verificationId: 'v' }).catch(
      (e) => e,
    );
    expect((error as VerificationRefused).problems).toEqual([
      `backupPolicies[nightly].verify.regions[0].subnetId: subnet ${SUBNET} does not exist in this region`,
      `backupPolicies[nightly].verify.regions[0].securityGroupId: security group ${SG} does not exist in this region`,
    ]);
    expect(withInbound.ec2.launches).toEqual([]);
    expect(unknown.ec2.launches).toEqual([]);
  });

  it('refuses a selection over maxPerRun and keeps at most maxConcurrentPerRegion running at once', async () => {
    const images = Array.from({ length: 5 }, (_, i) =>
      ourImage(
        `i-0aaaaaaaaaaaaaaa${i}`,
        'nightly-2026-12-01',
        '2026-12-01T20:30:00.000Z',
        `ami-00000000000000${i}${i}`,
      ),
    );
    const over = world(images);
    await expect(
      runVerification(over.deps, { policy: policyOf({ maxPerRun: 4 }), verificationId: 'v' }),
    ).rejects.toThrow('verify.maxPerRun: the selection has 5 AMIs to verify, more than maxPerRun (4)');
    expect(over.ec2.launches).toEqual([]);
    const within = world(images);
    const report = await runVerification(within.deps, {
      policy: policyOf({ maxPerRun: 5, maxConcurrentPerRegion: 2 }),
      verificationId: 'v',
    });
    expect(report.results.map((r) => r.status)).toEqual(Array(5).fill('passed'));
    expect(within.ec2.maxAlive).toBe(2);
  });

  it('verifies a foreign AMI read-only: recorded by Shipyard, never tagged', async () => {
    const foreign: VerifyImage = {
      imageId: 'ami-0f0f0f0f0f0f0f0f0',
      state: 'available',
      creationDate: '2026-11-01T00:00:00.000Z',
      architecture: 'arm64',
      snapshotIds: [],
      tags: { Golden: 'yes' },
    };
    const { ec2, store, deps } = world([foreign]);
    const report = await runVerification(deps, {
      policy: policyOf({ images: { imageIds: [foreign.imageId] } }),
      verificationId: 'v',
    });
    expect(report.results).toMatchObject([
      { imageId: foreign.imageId, ours: false, status: 'passed', target: foreign.imageId },
    ]);
    expect(ec2.launches[0]?.instanceType).toBe('t4g.micro');
    expect(ec2.imageTags.size).toBe(0);
    expect(store.records).toHaveLength(1);
  });

  it('never counts as ours an AMI carrying our tags from a run Shipyard never recorded', async () => {
    const forged = ourImage(
      'i-0aaaaaaaaaaaaaaa1',
      'nightly-2026-12-09',
      '2026-12-01T21:00:00.000Z',
      'ami-0000000000forged1',
    );
    const { ec2, deps } = world([NEW, forged]);
    const report = await runVerification(deps, { policy: policyOf(), verificationId: 'v' });
    expect(report.results.map((r) => r.imageId)).toEqual([NEW.imageId]);
    expect(ec2.imageTags.has(forged.imageId)).toBe(false);
  });
});
