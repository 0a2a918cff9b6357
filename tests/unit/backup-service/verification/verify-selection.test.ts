/**
 * What a verification selects before anything launches: the configuration it needs, the
 * regions and targets asked for, and foreign AMIs by id and by tag (never one of Shipyard's).
 */
import { describe, expect, it } from 'vitest';
import { VerificationRefused } from '../../../../shared/backup/verification-errors.ts';
import type { VerifyImage } from '../../../../shared/backup-service/ports/verification.ts';
import { planVerification, runVerification } from '../../../../shared/backup-service/verify.ts';
import { FakeVerificationEc2 } from './fakes.ts';
import { ISOLATED, NEW, ourImage, policyOf, REGION, SG, SUBNET, world } from './verify-world.ts';

const CALIFORNIA = 'us-west-1';
const OTHER_TARGET = ourImage(
  'i-0bbbbbbbbbbbbbbb2',
  'nightly-2026-12-01',
  '2026-12-01T20:31:00.000Z',
  'ami-0000000000000bbb2',
);

const foreign = (id: string, createdAt: string, overrides: Partial<VerifyImage> = {}): VerifyImage => ({
  imageId: id,
  state: 'available',
  creationDate: createdAt,
  architecture: 'x86_64',
  snapshotIds: [],
  tags: { Golden: 'yes' },
  ...overrides,
});

describe('verification selection', () => {
  it('refuses a policy without verify, naming the field, and launches nothing', async () => {
    const { ec2, deps } = world([NEW]);
    const { verify: _unset, ...policy } = policyOf();
    const run = runVerification(deps, { policy, verificationId: 'v' });
    await expect(run).rejects.toBeInstanceOf(VerificationRefused);
    await expect(run).rejects.toThrow(
      'backupPolicies[nightly].verify: not configured: add verify.regions with a subnet and a security group',
    );
    expect(ec2.launches).toEqual([]);
  });

  it('refuses a region that is not a verify region of the policy, naming the configured ones', async () => {
    const { ec2, deps } = world([NEW]);
    await expect(
      runVerification(deps, { policy: policyOf(), verificationId: 'v', regions: ['eu-west-1', REGION] }),
    ).rejects.toThrow(
      `--region: eu-west-1 is not a verify region of policy nightly (expected one of ${REGION})`,
    );
    expect(ec2.launches).toEqual([]);
  });

  it('checks and verifies only the regions asked for', async () => {
    // Prepare: two verify regions; California's subnet routes to the internet.
    const mumbai = world([NEW]);
    const california = new FakeVerificationEc2(CALIFORNIA, mumbai.clock, {
      images: [NEW],
      isolation: {
        ...ISOLATED,
        subnet: { vpcId: 'vpc-1', routes: [{ destination: '0.0.0.0/0', target: 'igw-0123' }] },
      },
    });
    const deps = { ...mumbai.deps, ec2: (r: string) => (r === CALIFORNIA ? california : mumbai.ec2) };
    const policy = policyOf(
      {
        regions: [
          { region: REGION, subnetId: SUBNET, securityGroupId: SG },
          { region: CALIFORNIA, subnetId: SUBNET, securityGroupId: SG },
        ],
      },
      { copyRegions: [{ region: CALIFORNIA }] },
    );
    // Act
    const report = await runVerification(deps, { policy, verificationId: 'v', regions: [REGION] });
    // Assess: Mumbai alone is checked and verified; the whole policy is refused on California.
    expect(report.results.map((r) => [r.region, r.status])).toEqual([[REGION, 'passed']]);
    expect(california.launches).toEqual([]);
    await expect(planVerification(deps, { policy, verificationId: 'v' })).rejects.toThrow(
      'backupPolicies[nightly].verify.regions[1].subnetId',
    );
  });

  it('selects only the targets asked for, of Shipyard and foreign alike', async () => {
    const golden = foreign('ami-0f0f0f0f0f0f0f0f0', '2026-11-01T00:00:00.000Z');
    const other = foreign('ami-0e0e0e0e0e0e0e0e0', '2026-11-02T00:00:00.000Z');
    const { deps } = world([NEW, OTHER_TARGET, golden, other]);
    const policy = policyOf({ images: { imageIds: [golden.imageId, other.imageId] } });
    const plan = await planVerification(deps, {
      policy,
      verificationId: 'v',
      targets: ['i-0bbbbbbbbbbbbbbb2', golden.imageId],
    });
    expect(plan.map((c) => [c.target, c.imageId, c.ours])).toEqual([
      ['i-0bbbbbbbbbbbbbbb2', OTHER_TARGET.imageId, true],
      [golden.imageId, golden.imageId, false],
    ]);
  });

  it('takes the newest available foreign AMI carrying the tags, once even when also listed by id', async () => {
    // Prepare: tagged AMIs of several ages (the newest still pending), one of Shipyard's own
    // carrying the same tag, and the newest available one also listed by id.
    const older = foreign('ami-0100000000000000a', '2026-10-01T00:00:00.000Z');
    const newest = foreign('ami-0200000000000000b', '2026-11-01T00:00:00.000Z');
    const pending = foreign('ami-0300000000000000c', '2026-11-20T00:00:00.000Z', { state: 'pending' });
    const ours = { ...NEW, tags: { ...NEW.tags, Golden: 'yes' } };
    const { deps } = world([older, newest, pending, ours]);
    const policy = policyOf({ images: { imageIds: [newest.imageId], tags: { Golden: 'yes' } } });
    // Act
    const plan = await planVerification(deps, { policy, verificationId: 'v' });
    // Assess: Shipyard's AMI is selected once, as its target's backup, never as a foreign one.
    expect(plan.map((c) => [c.target, c.imageId, c.ours])).toEqual([
      [NEW.tags['shipyard:target'], NEW.imageId, true],
      [newest.imageId, newest.imageId, false],
    ]);
  });

  it('verifies nothing when the tags match no available foreign AMI', async () => {
    const pending = foreign('ami-0300000000000000c', '2026-11-20T00:00:00.000Z', { state: 'pending' });
    const { deps } = world([pending]);
    const plan = await planVerification(deps, {
      policy: policyOf({ images: { tags: { Golden: 'yes' } } }),
      verificationId: 'v',
    });
    expect(plan).toEqual([]);
  });
});
