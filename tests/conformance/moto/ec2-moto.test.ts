/**
 * Test tier 5, second half (DESIGN.md "Test tiers"): the SAME EC2 adapter and backup handlers,
 * unmodified, against `moto_server` — an implementation of the EC2 API written by other people —
 * and against the local cloud, for the behaviours moto implements faithfully. Each `it.each`
 * runs one scenario on both and asserts one observable result (ids aside).
 *
 * Where moto is lenient, one "moto differs: …" test per gap asserts moto's actual behaviour
 * next to the local cloud's AWS-documented one (AWS-FACTS.md): the reason the local cloud
 * exists, and an alarm if moto ever becomes faithful.
 *
 * moto 5.x notes that shape the scenarios: DescribeInstances pages (by reservation), but
 * DescribeSnapshots/DescribeImages answer one unbounded page (the adapter must still end
 * correctly on it); RegisterImage drops TagSpecifications, so AMIs are tagged with CreateTags
 * where tags are only the means; CreateSnapshots answers without `State`. The server runs with
 * MOTO_EC2_LOAD_DEFAULT_AMIS=false so that only what a test creates exists.
 */
import {
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { clientConfig, useLocalCloud, useMoto } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler as createSnapshots } from '../../../functions/backup-create-snapshots/handler.ts';
import { makeHandler as discoverTargets } from '../../../functions/backup-discover-targets/handler.ts';
import { makeHandler as shareImage } from '../../../functions/backup-share-image/handler.ts';
import { createEc2Port, createEc2PortFactory } from '../../../shared/aws/ec2.ts';
import { TAG_KEYS } from '../../../shared/backup/tags.ts';
import { managedTagQuery } from '../../../shared/backup-service/context.ts';
import { type BackupDeps, silentLogger } from '../../../shared/backup-service/deps.ts';
import type { Ec2Port, RegisterImageInput } from '../../../shared/backup-service/ports/ec2.ts';
import type { Run, Target } from '../../../shared/backup-service/state.ts';
import type { BackupPolicy } from '../../../shared/config/policies.ts';
import {
  deployed,
  discoverEvent,
  mapItemsOf,
  memoryRunFiles,
  memoryRunRecords,
  runOf,
} from '../../helpers/backup-deps.ts';
import { policy, SHARE_WITH } from '../../workflow/backup/scenario.ts';

const SOURCE = 'eu-west-1';
const DESTINATION = 'us-east-1';
const ZONE = `${SOURCE}a`;
const HOUR_MS = 3_600_000;
const MANAGED = { Key: TAG_KEYS.managed, Value: 'true' };

const moto = useMoto();
const local = useLocalCloud({ clock: { speed: 0 } });

type BackendName = 'moto' | 'local cloud';
const BACKENDS: BackendName[] = ['moto', 'local cloud'];

interface Backend {
  name: BackendName;
  url: string;
  /** Lets every pending snapshot, AMI and copy finish (moto's are done already). */
  settle(): void;
  ec2(region?: string): EC2Client;
  port(region?: string, pageSize?: number): Ec2Port;
  /** Handler dependencies with `policy` deployed (run records in memory: S3 is not compared here). */
  deps(pageSize?: number, policy?: BackupPolicy): BackupDeps;
}

const backend = (name: BackendName): Backend => {
  const url = name === 'moto' ? moto().url : local().url;
  const ec2 = (region = SOURCE) => new EC2Client({ ...clientConfig(url, region), maxAttempts: 2 });
  return {
    name,
    url,
    settle: () => {
      if (name === 'local cloud') local().cloud.clock.advance(24 * HOUR_MS);
    },
    ec2,
    port: (region = SOURCE, pageSize = 500) => createEc2Port(ec2(region), region, pageSize),
    deps: (pageSize = 500, deployedPolicy = run().policy) => ({
      ec2: createEc2PortFactory({ clientFor: ec2, pageSize }),
      logger: silentLogger,
      now: () => new Date(Date.parse('2026-02-01T01:30:00Z')),
      policies: deployed(deployedPolicy),
      runRecords: memoryRunRecords(),
      runFiles: memoryRunFiles(),
    }),
  };
};

const createVolume = async (b: Backend, sizeGiB = 8): Promise<string> => {
  const { VolumeId } = await b
    .ec2()
    .send(new CreateVolumeCommand({ AvailabilityZone: ZONE, Size: sizeGiB, VolumeType: 'gp3' }));
  if (VolumeId === undefined) throw new Error(`${b.name}: CreateVolume returned no VolumeId`);
  return VolumeId;
};

interface Seeded {
  instanceId: string;
  volumeIds: string[];
}

/**
 * One instance with a root (/dev/sda1, 8 GiB) and a data volume (/dev/sdf, 50 GiB): RunInstances
 * in moto (the local cloud has no RunInstances: its control API seeds the same instance).
 */
const seedInstance = async (
  b: Backend,
  tags: Record<string, string>,
  state: 'running' | 'terminated' = 'running',
): Promise<Seeded> => {
  if (b.name === 'local cloud') {
    const seeded = await local().control.seed<{
      ec2: { instances: { instanceId: string; volumeIds: Record<string, string> }[] };
    }>({
      ec2: {
        instances: [
          {
            region: SOURCE,
            tags,
            state,
            architecture: 'x86_64',
            rootDeviceName: '/dev/sda1',
            volumes: [
              { deviceName: '/dev/sda1', sizeGiB: 8, volumeType: 'gp3' },
              { deviceName: '/dev/sdf', sizeGiB: 50, volumeType: 'gp3' },
            ],
          },
        ],
      },
    });
    const instance = seeded.ec2.instances[0];
    if (instance === undefined) throw new Error('local cloud seeded no instance');
    return { instanceId: instance.instanceId, volumeIds: Object.values(instance.volumeIds) };
  }
  const ec2 = b.ec2();
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-0123456789abcdef0',
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      Placement: { AvailabilityZone: ZONE },
      BlockDeviceMappings: [
        { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, VolumeType: 'gp3' } },
        { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 50, VolumeType: 'gp3' } },
      ],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
  );
  const instance = out.Instances?.[0];
  if (instance?.InstanceId === undefined) throw new Error('moto: RunInstances returned no instance');
  if (state === 'terminated')
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.InstanceId] }));
  return {
    instanceId: instance.InstanceId,
    volumeIds: (instance.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.VolumeId ? [m.Ebs.VolumeId] : [])),
  };
};

/** A snapshot-backed AMI as the register-image step asks for it. */
const registerRequest = (name: string, snapshotId: string, tags = [MANAGED]): RegisterImageInput => ({
  Name: name,
  RootDeviceName: '/dev/xvda',
  BlockDeviceMappings: [
    {
      DeviceName: '/dev/xvda',
      Ebs: { SnapshotId: snapshotId, VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true },
    },
  ],
  VirtualizationType: 'hvm',
  Architecture: 'arm64',
  EnaSupport: true,
  BootMode: 'uefi',
  tagSpecifications: [{ ResourceType: 'image', Tags: tags }],
});

/** A completed snapshot of a fresh 8 GiB volume, and an AMI registered from it (available). */
const imageFixture = async (b: Backend, name: string) => {
  const volumeId = await createVolume(b);
  const snapshot = await b.port().createSnapshot({ volumeId, description: name, tagSpecifications: [] });
  b.settle();
  const registered = await b.port().registerImage(registerRequest(name, snapshot.snapshotId));
  if (registered.kind !== 'registered') throw new Error(`${b.name}: ${name} not registered`);
  b.settle();
  return { snapshotId: snapshot.snapshotId, imageId: registered.imageId };
};

function run(overrides: Parameters<typeof policy>[0] = {}): Run {
  return runOf(policy({ copyRegions: [], ...overrides }), 'nightly-2026-02-01', '2026-02-01T01:30:00.000Z');
}

const sorted = (ids: readonly string[]) => [...ids].sort();

describe('EC2 adapter and backup handlers: moto and the local cloud agree', () => {
  it.each(BACKENDS)(
    'AWS-FACTS EBS snapshots: CreateSnapshot tags at creation (TagSpecifications) and the adapter pages DescribeSnapshots by tag filter to the end, no skip, no repeat (%s)',
    async (name) => {
      // Prepare: 26 tagged snapshots over 6 volumes (≤5 pending per volume), 4 untagged ones.
      const b = backend(name);
      const volumes = await Promise.all(Array.from({ length: 6 }, () => createVolume(b, 4)));
      const port = b.port(SOURCE, 5);
      const tagged: string[] = [];
      for (let i = 0; i < 26; i++) {
        const created = await port.createSnapshot({
          volumeId: volumes[i % 6] ?? '',
          description: `tagged ${i}`,
          tagSpecifications: [{ ResourceType: 'snapshot', Tags: [MANAGED, { Key: 'n', Value: `${i}` }] }],
        });
        tagged.push(created.snapshotId);
      }
      b.settle();
      for (let i = 0; i < 4; i++)
        await port.createSnapshot({
          volumeId: volumes[i] ?? '',
          description: 'other',
          tagSpecifications: [],
        });
      // Act
      const found = await port.describeSnapshots({ tags: { [TAG_KEYS.managed]: ['true'] } });
      // Assess
      expect(sorted(found.map((s) => s.snapshotId))).toEqual(sorted(tagged));
      expect(new Set(found.map((s) => s.snapshotId)).size).toBe(26);
      const first = found.find((s) => s.snapshotId === tagged[0]);
      expect(first).toMatchObject({
        volumeId: volumes[0],
        volumeSizeGiB: 4,
        tags: { [TAG_KEYS.managed]: 'true', n: '0' },
      });
    },
  );

  it.each(BACKENDS)(
    'AWS-FACTS AMIs: the adapter pages DescribeImages (Owners self) by tag filter to the end, no skip, no repeat (%s)',
    async (name) => {
      // Prepare: 12 AMIs tagged ours (CreateTags: moto drops RegisterImage's TagSpecifications), 3 not.
      const b = backend(name);
      const volumeId = await createVolume(b);
      const snapshot = await b
        .port()
        .createSnapshot({ volumeId, description: 'root', tagSpecifications: [] });
      b.settle();
      const ours: string[] = [];
      for (let i = 0; i < 15; i++) {
        const out = await b.port().registerImage(registerRequest(`paging-${i}`, snapshot.snapshotId, []));
        if (out.kind !== 'registered') throw new Error(`paging-${i} not registered`);
        if (i < 12) {
          await b.ec2().send(new CreateTagsCommand({ Resources: [out.imageId], Tags: [MANAGED] }));
          ours.push(out.imageId);
        }
      }
      // Act
      const found = await b.port(SOURCE, 5).describeImages({ tags: { [TAG_KEYS.managed]: ['true'] } });
      // Assess
      expect(sorted(found.map((i) => i.imageId))).toEqual(sorted(ours));
      expect(new Set(found.map((i) => i.imageId)).size).toBe(12);
    },
  );

  it.each(BACKENDS)(
    'AWS-FACTS AMIs: RegisterImage returns a new ami- id that DescribeImages finds by name (%s)',
    async (name) => {
      // Prepare
      const b = backend(name);
      const volumeId = await createVolume(b);
      const snapshot = await b
        .port()
        .createSnapshot({ volumeId, description: 'root', tagSpecifications: [] });
      b.settle();
      // Act
      const registered = await b
        .port()
        .registerImage(registerRequest('shipyard/nightly/i-1/r1', snapshot.snapshotId));
      const found = await b.port().describeImages({ names: ['shipyard/nightly/i-1/r1'] });
      // Assess
      expect(registered).toEqual({
        kind: 'registered',
        imageId: expect.stringMatching(/^ami-[0-9a-f]{8,17}$/),
      });
      expect(found.map((i) => [i.imageId, i.name])).toEqual([
        [registered.kind === 'registered' ? registered.imageId : '', 'shipyard/nightly/i-1/r1'],
      ]);
    },
  );

  it.each(BACKENDS)(
    'AWS-FACTS AMIs: CopyImage, called in the destination region, creates a new image id there (%s)',
    async (name) => {
      // Prepare
      const b = backend(name);
      const source = await imageFixture(b, 'copy-source');
      const destination = b.port(DESTINATION);
      // Act
      const copied = await destination.copyImage({
        sourceRegion: SOURCE,
        sourceImageId: source.imageId,
        name: 'copy-source',
        clientToken: 'sy-copy-1',
        tagSpecifications: [],
      });
      // Assess
      if (copied.kind !== 'copied') throw new Error(`expected a copy, got ${copied.kind}`);
      expect(copied.imageId).not.toBe(source.imageId);
      expect((await destination.describeImages({ imageIds: [copied.imageId] })).map((i) => i.name)).toEqual([
        'copy-source',
      ]);
      expect(await b.port(SOURCE).describeImages({ imageIds: [copied.imageId] })).toEqual([]);
    },
  );

  it.each(BACKENDS)(
    'AWS-FACTS AMIs: DeregisterImage, then DeleteSnapshot; a second call of each reports not-found (%s)',
    async (name) => {
      // Prepare
      const b = backend(name);
      const { imageId, snapshotId } = await imageFixture(b, 'to-rotate');
      const port = b.port();
      // Act
      const deregistered = await port.deregisterImage(imageId, false);
      const again = await port.deregisterImage(imageId, false);
      const deleted = await port.deleteSnapshot(snapshotId);
      const deletedAgain = await port.deleteSnapshot(snapshotId);
      // Assess
      expect(deregistered.kind).toBe('deregistered');
      expect(again.kind).toBe('not-found');
      expect([deleted, deletedAgain]).toEqual(['deleted', 'not-found']);
      expect(await port.describeImages({ names: ['to-rotate'] })).toEqual([]);
    },
  );

  it.each(BACKENDS)(
    'discover-targets: running instances carrying the policy tags, paged (MaxResults 5), terminated and untagged ones left out (%s)',
    async (name) => {
      // Prepare: 6 tagged running, 1 tagged terminated, 1 untagged.
      const b = backend(name);
      const tagged: string[] = [];
      for (let i = 0; i < 6; i++) tagged.push((await seedInstance(b, { Backup: 'nightly' })).instanceId);
      await seedInstance(b, { Backup: 'nightly' }, 'terminated');
      await seedInstance(b, { Backup: 'weekly' });
      // Act
      const tagPolicy = policy({ targets: { tags: { Backup: 'nightly' } }, copyRegions: [] });
      const deps = b.deps(5, tagPolicy);
      const out = await discoverTargets(deps)(
        discoverEvent({ policy: tagPolicy.name }, 'nightly-2026-02-01'),
      );
      // Assess
      expect(await mapItemsOf(deps.runFiles, out)).toEqual(
        sorted(tagged).map((id) => ({ id, kind: 'instance', form: 'image' })),
      );
    },
  );

  it.each(BACKENDS)(
    'create-snapshots (instance): one CreateSnapshots set of every volume, tagged at creation; a retry reuses it (%s)',
    async (name) => {
      // Prepare
      const b = backend(name);
      const { instanceId, volumeIds } = await seedInstance(b, { Backup: 'nightly' });
      const target: Target = { id: instanceId, kind: 'instance', form: 'image' };
      const input = { run: run(), backup: { target } };
      // Act
      const first = await createSnapshots(b.deps())(input);
      const retried = await createSnapshots(b.deps())(input);
      // Assess
      expect(sorted(first.snapshots.map((s) => s.volumeId ?? ''))).toEqual(sorted(volumeIds));
      expect(first.snapshots.map((s) => s.sizeGiB).sort((x, y) => x - y)).toEqual([8, 50]);
      expect(retried.snapshots).toEqual(first.snapshots);
      const tagged = await b.port().describeSnapshots({ tags: managedTagQuery(run(), target, true) });
      expect(tagged).toHaveLength(2);
      expect(tagged[0]?.tags).toMatchObject({
        [TAG_KEYS.managed]: 'true',
        [TAG_KEYS.policy]: 'nightly',
        [TAG_KEYS.target]: instanceId,
        [TAG_KEYS.run]: 'nightly-2026-02-01',
        [TAG_KEYS.createdAt]: '2026-02-01T01:30:00.000Z',
        [TAG_KEYS.kind]: 'snapshot',
      });
    },
  );

  it.each(BACKENDS)(
    'create-snapshots (volume): one CreateSnapshot with TagSpecifications; a retry reuses it (%s)',
    async (name) => {
      // Prepare
      const b = backend(name);
      const volumeId = await createVolume(b, 30);
      const target: Target = { id: volumeId, kind: 'volume', form: 'snapshots-only' };
      const input = { run: run({ targets: { volumeIds: [volumeId] } }), backup: { target } };
      // Act
      const first = await createSnapshots(b.deps(undefined, input.run.policy))(input);
      const retried = await createSnapshots(b.deps(undefined, input.run.policy))(input);
      // Assess
      expect(first.snapshots).toEqual([
        { snapshotId: expect.stringMatching(/^snap-/), volumeId, sizeGiB: 30 },
      ]);
      expect(retried.snapshots).toEqual(first.snapshots);
      const [snapshot] = await b.port().describeSnapshots({ tags: managedTagQuery(input.run, target, true) });
      expect(snapshot?.tags).toMatchObject({ [TAG_KEYS.target]: volumeId, [TAG_KEYS.kind]: 'snapshot' });
    },
  );

  it.each(BACKENDS)(
    'share-image: ModifyImageAttribute adds the launch permission on the source AMI and on each copy (copies do not inherit it), read back with DescribeImageAttribute (%s)',
    async (name) => {
      // Prepare
      const b = backend(name);
      const source = await imageFixture(b, 'shipyard/nightly/i-1/share');
      const copy = await b.port(DESTINATION).copyImage({
        sourceRegion: SOURCE,
        sourceImageId: source.imageId,
        name: 'shipyard/nightly/i-1/share',
        clientToken: 'sy-share-1',
        tagSpecifications: [],
      });
      if (copy.kind !== 'copied') throw new Error('copy not made');
      b.settle();
      const r = run({ share: { accountIds: [SHARE_WITH] } });
      const launchPermissions = async (region: string, imageId: string) =>
        (
          await b
            .ec2(region)
            .send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }))
        ).LaunchPermissions;
      const copyBefore = await launchPermissions(DESTINATION, copy.imageId);
      // Act
      const out = await shareImage(b.deps(undefined, r.policy))({
        run: r,
        backup: {
          target: { id: 'i-0123456789abcdef0', kind: 'instance', form: 'image' },
          image: {
            region: SOURCE,
            imageId: source.imageId,
            name: 'shipyard/nightly/i-1/share',
            createdAt: r.startedAt,
            state: 'available',
            attempt: 1,
            startedAt: r.startedAt,
            waitSeconds: 0,
          },
          copies: [{ region: DESTINATION, imageId: copy.imageId, state: 'available' }],
        },
      });
      // Assess
      expect(copyBefore ?? []).toEqual([]);
      expect(out.regions).toEqual([
        {
          region: SOURCE,
          imageId: source.imageId,
          status: 'shared',
          kinds: [{ kind: 'accounts', status: 'shared' }],
        },
        {
          region: DESTINATION,
          imageId: copy.imageId,
          status: 'shared',
          kinds: [{ kind: 'accounts', status: 'shared' }],
        },
      ]);
      expect(await launchPermissions(SOURCE, source.imageId)).toEqual([{ UserId: SHARE_WITH }]);
      expect(await launchPermissions(DESTINATION, copy.imageId)).toEqual([{ UserId: SHARE_WITH }]);
    },
  );
});

describe('EC2: where moto differs from AWS (and the local cloud follows AWS)', () => {
  it('moto differs: snapshots complete instantly (AWS-FACTS EBS snapshots: CreateSnapshot returns pending at once)', async () => {
    // Prepare
    const [m, l] = [backend('moto'), backend('local cloud')];
    const [mv, lv] = [await createVolume(m), await createVolume(l)];
    // Act
    const [ms, ls] = [
      await m.port().createSnapshot({ volumeId: mv, description: 'x', tagSpecifications: [] }),
      await l.port().createSnapshot({ volumeId: lv, description: 'x', tagSpecifications: [] }),
    ];
    // Assess
    expect(ms).toMatchObject({ state: 'completed', progress: '100%' });
    expect(ls.state).toBe('pending');
  });

  it('moto differs: DescribeSnapshots and DescribeImages ignore MaxResults (AWS-FACTS: MaxResults 5–1000 + NextToken) — the adapter gets everything from either', async () => {
    // Prepare: 7 snapshots of 2 volumes, 7 AMIs, on each backend.
    const seed = async (b: Backend) => {
      const volumes = [await createVolume(b), await createVolume(b)];
      const snapshots: string[] = [];
      for (let i = 0; i < 7; i++)
        snapshots.push(
          (
            await b
              .port()
              .createSnapshot({ volumeId: volumes[i % 2] ?? '', description: 'p', tagSpecifications: [] })
          ).snapshotId,
        );
      b.settle();
      for (let i = 0; i < 7; i++)
        await b.port().registerImage(registerRequest(`page-${i}`, snapshots[0] ?? ''));
    };
    const [m, l] = [backend('moto'), backend('local cloud')];
    await seed(m);
    await seed(l);
    const firstPages = async (b: Backend) => {
      const snapshots = await b
        .ec2()
        .send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5 }));
      const images = await b.ec2().send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 5 }));
      return {
        snapshots: snapshots.Snapshots?.length,
        snapshotsNext: snapshots.NextToken !== undefined,
        images: images.Images?.length,
        imagesNext: images.NextToken !== undefined,
      };
    };
    // Act
    const [mp, lp] = [await firstPages(m), await firstPages(l)];
    // Assess
    // (moto's RegisterImage makes one snapshot of its own per AMI: 7 + 7 snapshots there.)
    expect(mp).toEqual({ snapshots: 14, snapshotsNext: false, images: 7, imagesNext: false });
    expect(lp).toEqual({ snapshots: 5, snapshotsNext: true, images: 5, imagesNext: true });
    expect(await m.port(SOURCE, 5).describeSnapshots({})).toHaveLength(14);
    expect(await l.port(SOURCE, 5).describeSnapshots({})).toHaveLength(7);
    for (const b of [m, l]) expect(await b.port(SOURCE, 5).describeImages({})).toHaveLength(7);
  });

  it('moto differs: RegisterImage keeps only Name and Description (AWS-FACTS AMIs: RootDeviceName, Architecture, BlockDeviceMappings sizes and TagSpecifications are stored)', async () => {
    // Prepare
    const register = async (b: Backend) => {
      const volumeId = await createVolume(b);
      const snapshot = await b.port().createSnapshot({ volumeId, description: 'r', tagSpecifications: [] });
      b.settle();
      const out = await b.port().registerImage(registerRequest('full-request', snapshot.snapshotId));
      const imageId = out.kind === 'registered' ? out.imageId : '';
      const image = (await b.ec2().send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0];
      return { snapshotId: snapshot.snapshotId, image };
    };
    // Act
    const [m, l] = [await register(backend('moto')), await register(backend('local cloud'))];
    const shape = (r: typeof m) => ({
      rootDevice: r.image?.RootDeviceName,
      architecture: r.image?.Architecture,
      mappings: r.image?.BlockDeviceMappings?.map((d) => ({
        device: d.DeviceName,
        ourSnapshot: d.Ebs?.SnapshotId === r.snapshotId,
        size: d.Ebs?.VolumeSize,
        type: d.Ebs?.VolumeType,
      })),
      tags: r.image?.Tags ?? [],
    });
    // Assess
    expect(shape(l)).toEqual({
      rootDevice: '/dev/xvda',
      architecture: 'arm64',
      mappings: [{ device: '/dev/xvda', ourSnapshot: true, size: 20, type: 'gp3' }],
      tags: [MANAGED],
    });
    expect(shape(m)).toEqual({
      rootDevice: '/dev/sda1',
      architecture: undefined,
      mappings: [{ device: '/dev/sda1', ourSnapshot: false, size: 15, type: 'standard' }],
      tags: [],
    });
  });

  it('moto differs: duplicate AMI names are accepted (AWS-FACTS AMIs: names are unique per account and region → InvalidAMIName.Duplicate)', async () => {
    // Prepare
    const twice = async (b: Backend) => {
      const volumeId = await createVolume(b);
      const snapshot = await b.port().createSnapshot({ volumeId, description: 'd', tagSpecifications: [] });
      b.settle();
      const request = registerRequest('shipyard/nightly/i-1/dup', snapshot.snapshotId);
      return [await b.port().registerImage(request), await b.port().registerImage(request)].map(
        (r) => r.kind,
      );
    };
    // Act
    const [m, l] = [await twice(backend('moto')), await twice(backend('local cloud'))];
    // Assess
    expect(m).toEqual(['registered', 'registered']);
    expect(l).toEqual(['registered', 'duplicate-name']);
  });

  it("moto differs: the snapshot named in RegisterImage's BlockDeviceMappings can be deleted while the AMI is registered (AWS-FACTS EBS snapshots: InvalidSnapshot.InUse)", async () => {
    // Prepare: moto links an AMI only to a snapshot it makes itself, and protects only that one.
    const [m, l] = [backend('moto'), backend('local cloud')];
    const mi = await imageFixture(m, 'holds-a-snapshot');
    const li = await imageFixture(l, 'holds-a-snapshot');
    const [motoImage] = await m.port().describeImages({ imageIds: [mi.imageId] });
    const motoOwn = motoImage?.snapshotIds[0] ?? '';
    // Act
    const [mr, lr] = [
      await m.port().deleteSnapshot(mi.snapshotId),
      await l.port().deleteSnapshot(li.snapshotId),
    ];
    const motoOwnResult = await m.port().deleteSnapshot(motoOwn);
    // Assess
    expect(mr).toBe('deleted');
    expect(lr).toBe('in-use');
    expect(motoOwn).not.toBe(mi.snapshotId);
    expect(motoOwnResult).toBe('in-use');
  });

  it('moto differs: DeregisterImage ignores DeleteAssociatedSnapshots (AWS-FACTS AMIs: the snapshots are deleted and listed in DeleteSnapshotResults)', async () => {
    // Prepare
    const deregister = async (b: Backend) => {
      const { imageId } = await imageFixture(b, 'rotate-with-snapshots');
      const [image] = await b.port().describeImages({ imageIds: [imageId] });
      const snapshotIds = image?.snapshotIds ?? [];
      const result = await b.port().deregisterImage(imageId, true);
      const left = await b.port().describeSnapshots({ snapshotIds });
      return { result, snapshotIds, left: left.map((s) => s.snapshotId) };
    };
    // Act
    const [m, l] = [await deregister(backend('moto')), await deregister(backend('local cloud'))];
    // Assess
    expect(m.result).toEqual({ kind: 'deregistered', snapshots: [] });
    expect(m.left).toEqual(m.snapshotIds);
    expect(l.result).toEqual({
      kind: 'deregistered',
      snapshots: l.snapshotIds.map((snapshotId) => ({ snapshotId, returnCode: 'success' })),
    });
    expect(l.left).toEqual([]);
  });

  it('moto differs: CopyImage ignores ClientToken and TagSpecifications (AWS-FACTS AMIs: same token + same parameters → same image; the copy and its snapshots are tagged)', async () => {
    // Prepare
    const copyTwice = async (b: Backend) => {
      const source = await imageFixture(b, 'copy-me');
      const destination = b.port(DESTINATION);
      const copy = () =>
        destination.copyImage({
          sourceRegion: SOURCE,
          sourceImageId: source.imageId,
          name: 'copy-me',
          clientToken: 'sy-token-1',
          tagSpecifications: [
            { ResourceType: 'image', Tags: [MANAGED] },
            { ResourceType: 'snapshot', Tags: [MANAGED] },
          ],
        });
      const ids = [await copy(), await copy()].map((c) => (c.kind === 'copied' ? c.imageId : c.kind));
      const tagged = await destination.describeImages({ tags: { [TAG_KEYS.managed]: ['true'] } });
      return { distinct: new Set(ids).size, tagged: tagged.length };
    };
    // Act
    const [m, l] = [await copyTwice(backend('moto')), await copyTwice(backend('local cloud'))];
    // Assess
    expect(m).toEqual({ distinct: 2, tagged: 0 });
    expect(l).toEqual({ distinct: 1, tagged: 1 });
  });
});
