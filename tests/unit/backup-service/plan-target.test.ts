/** PlanTarget: the dry run of one target, over an in-memory EC2 that records every write asked of it. */
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/backup-plan-target/handler.ts';
import { TAG_KEYS } from '../../../shared/backup/tags.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import type {
  Ec2Image,
  Ec2Instance,
  Ec2Port,
  Ec2Snapshot,
  Ec2Volume,
} from '../../../shared/backup-service/ports/ec2.ts';
import type { Target } from '../../../shared/backup-service/state.ts';
import { deployed, memoryRunFiles, memoryRunRecords, runOf } from '../../helpers/backup-deps.ts';
import { COPY_A, COPY_B, KEY_A, KEY_B, policy, SHARE_WITH, SOURCE } from '../../workflow/backup/scenario.ts';

const NOW = '2026-03-20T00:30:00.000Z';
const INSTANCE = 'i-0aaaaaaaaaaaaaaa1';
const ROOT = 'vol-0a0000000000000a1';
const DATA = 'vol-0a0000000000000a2';
const SCRATCH = 'vol-0a0000000000000a3';
const STANDALONE = 'vol-0d0000000000000d1';

const volume = (volumeId: string, sizeGiB: number, more: Partial<Ec2Volume> = {}): Ec2Volume => ({
  volumeId,
  state: 'in-use',
  sizeGiB,
  volumeType: 'gp3',
  tags: {},
  attachedTo: [],
  ...more,
});

const managed = (target: string, runId: string, createdAt: string) => ({
  [TAG_KEYS.managed]: 'true',
  [TAG_KEYS.policy]: 'nightly',
  [TAG_KEYS.target]: target,
  [TAG_KEYS.run]: runId,
  [TAG_KEYS.createdAt]: createdAt,
});

/** Two earlier nightly backups of the instance (AMI + snapshot) in a region. */
const oldBackups = (region: string) => {
  const images: Ec2Image[] = [];
  const snapshots: Ec2Snapshot[] = [];
  for (const day of [18, 19]) {
    const at = `2026-03-${day}T00:30:00.000Z`;
    const tags = managed(INSTANCE, `nightly-2026-03-${day}`, at);
    const hex = `${region === SOURCE ? 'a' : 'b'}${day}`.padEnd(17, '0');
    images.push({
      imageId: `ami-${hex}`,
      name: `shipyard/nightly/${INSTANCE}/nightly-2026-03-${day}`,
      state: 'available',
      creationDate: at,
      tags,
      snapshotIds: [`snap-${hex}`],
    });
    snapshots.push({ snapshotId: `snap-${hex}`, state: 'completed', startTime: at, volumeSizeGiB: 8, tags });
  }
  return { images, snapshots };
};

/** An in-memory EC2 per region; every write is recorded (and must never happen). */
function fakeEc2(options: { instance?: Partial<Ec2Instance> | null; foreignImageName?: string } = {}) {
  const writes: string[] = [];
  const instance: Ec2Instance | undefined =
    options.instance === null
      ? undefined
      : {
          instanceId: INSTANCE,
          state: 'running',
          tags: {},
          rootDeviceName: '/dev/xvda',
          architecture: 'arm64',
          virtualizationType: 'hvm',
          enaSupport: true,
          currentInstanceBootMode: 'uefi',
          blockDevices: [
            { deviceName: '/dev/xvda', volumeId: ROOT, deleteOnTermination: true },
            { deviceName: '/dev/sdf', volumeId: DATA, deleteOnTermination: false },
            { deviceName: '/dev/sdg', volumeId: SCRATCH, deleteOnTermination: true },
          ],
          ...options.instance,
        };
  const volumes = [
    volume(ROOT, 8),
    volume(DATA, 100, { volumeType: 'io2', iops: 3000 }),
    volume(SCRATCH, 50),
    volume(STANDALONE, 20),
  ];
  const record =
    (action: string) =>
    async (..._args: unknown[]): Promise<never> => {
      writes.push(action);
      throw new Error(`${action} must not be called`);
    };
  const port = (region: string): Ec2Port => {
    const { images, snapshots } = region === COPY_B ? { images: [], snapshots: [] } : oldBackups(region);
    if (options.foreignImageName !== undefined && region === SOURCE) {
      images.push({
        imageId: 'ami-0ffffffffffffffff',
        name: options.foreignImageName,
        state: 'available',
        creationDate: NOW,
        tags: {},
        snapshotIds: [],
      });
    }
    return {
      region,
      describeInstances: async (q) =>
        instance !== undefined && region === SOURCE && q.instanceIds?.includes(instance.instanceId)
          ? [instance]
          : [],
      describeVolumes: async (q) =>
        volumes.filter((v) => region === SOURCE && q.volumeIds?.includes(v.volumeId)),
      describeImages: async (q) =>
        images.filter(
          (i) =>
            (q.names === undefined || (i.name !== undefined && q.names.includes(i.name))) &&
            (q.tags === undefined || i.tags[TAG_KEYS.target] === q.tags[TAG_KEYS.target]?.[0]),
        ),
      describeSnapshots: async (q) =>
        snapshots.filter(
          (s) => q.tags === undefined || s.tags[TAG_KEYS.target] === q.tags[TAG_KEYS.target]?.[0],
        ),
      describeLaunchImage: async () => undefined,
      getInstanceUefiData: async () => undefined,
      createSnapshots: record('CreateSnapshots'),
      createSnapshot: record('CreateSnapshot'),
      registerImage: record('RegisterImage'),
      createImage: record('CreateImage'),
      copyImage: record('CopyImage'),
      addLaunchPermissions: record('ModifyImageAttribute'),
      deregisterImage: record('DeregisterImage'),
      deleteSnapshot: record('DeleteSnapshot'),
    };
  };
  return { port, writes };
}

const run = runOf(policy({ retention: { keepLast: 2 } }), 'nightly-dry-2026-03-20', NOW, true);
/** Planning reads which runs were recorded: the earlier nights (this dry run's own is not needed). */
const runRecords = memoryRunRecords();
for (const day of [18, 19]) {
  const runId = `nightly-2026-03-${day}`;
  const at = `2026-03-${day}T00:30:00.000Z`;
  runRecords.stored.set(runId, {
    ...{
      policy: 'nightly',
      runId,
      policyVersion: run.policyVersion,
      startedAt: at,
      dryRun: false,
      targets: [],
    },
    execution: { id: runId, startTime: at },
  });
}
const instanceTarget: Target = {
  id: INSTANCE,
  kind: 'instance',
  form: 'image',
  excludeDataVolumeIds: [SCRATCH],
};

const plan = (ec2: ReturnType<typeof fakeEc2>, target: Target, runOverride: Partial<typeof run> = {}) =>
  makeHandler({
    ec2: ec2.port,
    logger: silentLogger,
    now: () => new Date(NOW),
    policies: deployed(run.policy),
    runRecords,
    runFiles: memoryRunFiles(),
  })({
    run: { ...run, ...runOverride },
    backup: { target },
  });

describe('backup-plan-target handler', () => {
  it('plans an instance: volumes with exclusions, the AMI, copies with KMS keys, sharing, rotation per region', async () => {
    // Prepare
    const ec2 = fakeEc2();
    // Act
    const result = await plan(ec2, instanceTarget);
    // Assess
    expect(ec2.writes).toEqual([]);
    expect(result.snapshots).toEqual({
      region: SOURCE,
      call: 'CreateSnapshots',
      volumes: [
        { volumeId: ROOT, deviceName: '/dev/xvda', sizeGiB: 8, volumeType: 'gp3' },
        { volumeId: DATA, deviceName: '/dev/sdf', sizeGiB: 100, volumeType: 'io2', iops: 3000 },
      ],
      excluded: [{ volumeId: SCRATCH, deviceName: '/dev/sdg', reason: 'excludeDataVolumeIds' }],
      totalGiB: 108,
    });
    expect(result.image).toEqual({
      // No PlatformDetails: registered, billing checked once the AMI is available.
      method: 'register',
      methodReason:
        'no PlatformDetails (no UsageOperation): registered from the snapshots, billing information checked once available',
      region: SOURCE,
      name: `shipyard/nightly/${INSTANCE}/nightly-dry-2026-03-20`,
      rootDeviceName: '/dev/xvda',
      architecture: 'arm64',
      virtualizationType: 'hvm',
      enaSupport: true,
      bootMode: 'uefi',
      blockDeviceMappings: [
        { deviceName: '/dev/xvda', volumeId: ROOT, sizeGiB: 8, volumeType: 'gp3', deleteOnTermination: true },
        {
          deviceName: '/dev/sdf',
          volumeId: DATA,
          sizeGiB: 100,
          volumeType: 'io2',
          iops: 3000,
          deleteOnTermination: false,
        },
      ],
    });
    expect(result.copies).toEqual([
      { region: COPY_A, kmsKeyId: KEY_A },
      { region: COPY_B, kmsKeyId: KEY_B },
    ]);
    expect(result.share).toEqual({
      regions: [SOURCE, COPY_A, COPY_B],
      accountIds: [SHARE_WITH],
      organizationArns: [],
      organizationalUnitArns: [],
      public: false,
    });
    // keepLast 2 with this run's backup counted: the older of the two old backups goes.
    const source = result.rotation.find((r) => r.region === SOURCE);
    expect(source?.wouldDelete.map((i) => [i.id, i.reason.startsWith('delete: ')])).toEqual([
      ['ami-a1800000000000000', true],
      ['snap-a1800000000000000', true],
    ]);
    expect(source?.report).toMatchObject({
      dryRun: true,
      // The backup of ami-a19… and snap-a19… (the planned backup is not counted).
      keptBackups: 1,
    });
    expect(result.rotation.map((r) => [r.region, r.wouldDelete.length])).toEqual([
      [SOURCE, 2],
      [COPY_A, 2],
      [COPY_B, 0],
    ]);
  });

  it('plans only, even when the run is not a dry run', async () => {
    const ec2 = fakeEc2();
    const result = await plan(ec2, instanceTarget, { dryRun: false });
    expect(ec2.writes).toEqual([]);
    expect(result.rotation.every((r) => r.report.dryRun)).toBe(true);
  });

  it('plans a standalone volume as one CreateSnapshot, no AMI, no copies, no sharing', async () => {
    const ec2 = fakeEc2();
    const result = await plan(ec2, { id: STANDALONE, kind: 'volume', form: 'snapshots-only' });
    expect(result).toMatchObject({
      snapshots: { call: 'CreateSnapshot', volumes: [{ volumeId: STANDALONE, sizeGiB: 20 }], excluded: [] },
      copies: [],
      rotation: [{ region: SOURCE, wouldDelete: [] }],
    });
    expect(result.image).toBeUndefined();
    expect(result.share).toBeUndefined();
  });

  it('an instance without its boot volume is planned as snapshots only, the root listed as excluded', async () => {
    const ec2 = fakeEc2();
    const result = await plan(ec2, {
      id: INSTANCE,
      kind: 'instance',
      form: 'snapshots-only',
      excludeBootVolume: true,
    });
    expect(result.image).toBeUndefined();
    expect(result.copies).toEqual([]);
    expect(result.snapshots.excluded).toEqual([
      { volumeId: ROOT, deviceName: '/dev/xvda', reason: 'excludeBootVolume' },
    ]);
    expect(result.snapshots.volumes.map((v) => v.volumeId)).toEqual([DATA, SCRATCH]);
  });

  it.each([
    ['a missing instance', { instance: null }, instanceTarget, 'TargetNotFound', /does not exist/],
    [
      'a paravirtual instance',
      { instance: { virtualizationType: 'paravirtual' } },
      instanceTarget,
      'InvalidBackupInput',
      /paravirtual/,
    ],
    [
      "a foreign AMI holding this run's name",
      { foreignImageName: `shipyard/nightly/${INSTANCE}/nightly-dry-2026-03-20` },
      instanceTarget,
      'ImageRegistrationFailed',
      /is not this run's backup/,
    ],
  ] as const)('fails like the real run would on %s', async (_case, options, target, name, message) => {
    const ec2 = fakeEc2(options as Parameters<typeof fakeEc2>[0]);
    const error = await plan(ec2, target).catch((e: unknown) => e);
    expect(error).toMatchObject({ name });
    expect((error as Error).message).toMatch(message);
    expect(ec2.writes).toEqual([]);
  });

  it('rejects a malformed task input with InvalidBackupInput', async () => {
    const ec2 = fakeEc2();
    const handler = makeHandler({
      ec2: ec2.port,
      logger: silentLogger,
      now: () => new Date(NOW),
      policies: deployed(run.policy),
      runRecords,
      runFiles: memoryRunFiles(),
    });
    await expect(handler({ run, backup: {} })).rejects.toMatchObject({ name: 'InvalidBackupInput' });
  });
});
