/** The verification tests' world: one region of fakes on a simulated clock, a policy, Shipyard-made AMIs. */
import type { IsolationFacts } from '../../../../shared/backup/isolation.ts';
import { imageName } from '../../../../shared/backup/naming.ts';
import type { VerificationRecord } from '../../../../shared/backup/verification-record.ts';
import type { VerifyImage } from '../../../../shared/backup-service/ports/verification.ts';
import type { VerifyDeps } from '../../../../shared/backup-service/verify.ts';
import { type BackupPolicyInput, backupPolicySchema } from '../../../../shared/config/policies.ts';
import { type Boot, FakeClock, FakeVerificationEc2, FakeVerificationStore } from './fakes.ts';

export const REGION = 'ap-south-1';
export const T0 = Date.parse('2026-12-02T03:00:00Z');
export const SUBNET = 'subnet-0a1b2c3d4e5f60718';
export const SG = 'sg-0a1b2c3d4e5f60718';
export const ISOLATED = {
  subnet: { vpcId: 'vpc-1', routes: [{ destination: '10.0.0.0/16', target: 'local' }] },
  securityGroup: { vpcId: 'vpc-1', inboundRuleCount: 0 },
};

export const policyOf = (
  verify: Partial<NonNullable<BackupPolicyInput['verify']>> = {},
  policy: Partial<BackupPolicyInput> = {},
) =>
  backupPolicySchema.parse({
    ...policy,
    name: 'nightly',
    schedule: { cron: 'cron(0 2 * * ? *)', timeZone: 'Asia/Kolkata' },
    sourceRegion: REGION,
    targets: { tags: { Backup: 'nightly' } },
    retention: { keepLast: 3 },
    verify: { regions: [{ region: REGION, subnetId: SUBNET, securityGroupId: SG }], ...verify },
  });

/** An AMI exactly as Shipyard makes it (name, tags, times), of a recorded run. */
export function ourImage(target: string, runId: string, createdAt: string, id: string): VerifyImage {
  return {
    imageId: id,
    name: imageName({ policy: 'nightly', target, runId }),
    state: 'available',
    creationDate: createdAt,
    architecture: 'x86_64',
    snapshotIds: [`snap-${id}`],
    tags: {
      'shipyard:managed': 'true',
      'shipyard:policy': 'nightly',
      'shipyard:target': target,
      'shipyard:run': runId,
      'shipyard:created-at': createdAt,
      'shipyard:kind': 'image',
    },
  };
}

export const OLD = ourImage(
  'i-0aaaaaaaaaaaaaaa1',
  'nightly-2026-11-30',
  '2026-11-30T20:30:00.000Z',
  'ami-0000000000000old1',
);
export const NEW = ourImage(
  'i-0aaaaaaaaaaaaaaa1',
  'nightly-2026-12-01',
  '2026-12-01T20:30:00.000Z',
  'ami-0000000000000new1',
);
const RECORDED = ['nightly-2026-11-30', 'nightly-2026-12-01', 'nightly-2026-12-02'];

export function world(
  images: VerifyImage[],
  boots: Record<string, Boot> = {},
  isolation: IsolationFacts = ISOLATED,
) {
  const clock = new FakeClock(T0);
  const ec2 = new FakeVerificationEc2(REGION, clock, { images, isolation, boots });
  const store = new FakeVerificationStore();
  const failed: VerificationRecord[] = [];
  const deps: VerifyDeps = {
    ec2: () => ec2,
    ssm: { pingStatus: async (_region, ids) => new Map(ids.map((id) => [id, 'Online'])) },
    store,
    alarms: { failed: async (r) => void failed.push(r) },
    recordedRunIds: async () => RECORDED,
    now: clock.now,
    sleep: clock.sleep,
  };
  return { clock, ec2, store, failed, deps };
}
