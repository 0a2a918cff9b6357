import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { type BackupTagContext, managedTags, type ResourceKind } from '../../../shared/backup/tags.ts';
import { runCli, writeConfig } from './harness.ts';

const local = useLocalCloud();

const SOURCE = 'ap-south-1';
const COPY = 'us-west-1';
const WEB = 'i-0aaaaaaaaaaaaaaa1';
/** Backed up in the past, no longer tagged for backup (its instance is gone). */
const GONE = 'i-0eeeeeeeeeeeeeee5';
const AT = '2026-03-10T06:00:00.000Z';

const CONFIG = `
backupPolicies:
  - name: nightly
    schedule: { cron: 'cron(0 2 * * ? *)', timeZone: UTC }
    sourceRegion: ${SOURCE}
    targets: { tags: { Backup: nightly } }
    copyRegions:
      - region: ${COPY}
        retention: { keepLast: 1 }
    retention: { keepLast: 2 }
`;

const day = (n: number) => `2026-03-0${n}T02:00:00.000Z`;
const tagRecord = (context: BackupTagContext, kind: ResourceKind, sourceImage?: string) =>
  Object.fromEntries(managedTags(context, kind, sourceImage).map((t) => [t.Key, t.Value]));

/** One backup (an AMI over one snapshot) with the managed tags a real run would have written. */
const backup = (region: string, n: number, options: { target?: string; policy?: string } = {}) => {
  const target = options.target ?? WEB;
  const policy = options.policy ?? 'nightly';
  const context = {
    policy,
    target,
    runId: `${policy}-2026-03-0${n}`,
    createdAt: day(n),
    sourceRegion: SOURCE,
  };
  const suffix = `${region === SOURCE ? 'a' : 'b'}${policy === 'nightly' ? '0' : '9'}${target === WEB ? '1' : '5'}${n}`;
  const snapshotId = `snap-0000000000000${suffix}`;
  return {
    snapshot: { region, snapshotId, sizeGiB: 8, tags: tagRecord(context, 'snapshot') },
    image: {
      region,
      imageId: `ami-0000000000000${suffix}`,
      name: `shipyard/${policy}/${target}/${context.runId}`,
      snapshotIds: [snapshotId],
      tags: tagRecord(context, 'image'),
    },
  };
};

const seedAccount = async () => {
  const backups = [
    backup(SOURCE, 1),
    backup(SOURCE, 2),
    backup(SOURCE, 3),
    backup(COPY, 2),
    backup(COPY, 3),
    backup(SOURCE, 1, { policy: 'weekly' }),
    backup(SOURCE, 1, { target: GONE }),
  ];
  await local().control.seed({
    ec2: {
      instances: [
        {
          region: SOURCE,
          instanceId: WEB,
          tags: { Backup: 'nightly' },
          architecture: 'x86_64',
          rootDeviceName: '/dev/xvda',
          volumes: [{ deviceName: '/dev/xvda', sizeGiB: 8, volumeType: 'gp3' }],
        },
      ],
      snapshots: [
        ...backups.map((b) => b.snapshot),
        { region: SOURCE, snapshotId: 'snap-0000000000000f001', sizeGiB: 8 },
      ],
      images: [
        ...backups.map((b) => b.image),
        // Not Shipyard's: a hand-made golden image of the same instance.
        {
          region: SOURCE,
          imageId: 'ami-0000000000000f001',
          name: 'golden-web',
          snapshotIds: ['snap-0000000000000f001'],
          tags: { 'shipyard:target': WEB },
        },
      ],
    },
  });
};

describe('shipyard backup plan', () => {
  it('shows per region and target what rotation would delete and keep, and why, touching nothing', async () => {
    // Prepare
    await seedAccount();
    const config = writeConfig(CONFIG);
    const args = [
      'backup',
      'plan',
      '--policy',
      'nightly',
      '--at',
      AT,
      '--config',
      config,
      '--endpoint',
      local().url,
    ];
    // Act
    const json = await runCli([...args, '--json']);
    const human = await runCli(args);
    // Assess
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout);
    const ids = (items: { id: string }[]) => items.map((i) => i.id).sort();
    const [source, copy] = plan.regions;
    expect(source).toMatchObject({ region: SOURCE, role: 'source', retention: { keepLast: 2 } });
    expect(source.targets).toHaveLength(1);
    expect(ids(source.targets[0].delete)).toEqual(['ami-0000000000000a011', 'snap-0000000000000a011'].sort());
    expect(ids(source.targets[0].keep)).toEqual(
      [
        'ami-0000000000000a012',
        'ami-0000000000000a013',
        'snap-0000000000000a012',
        'snap-0000000000000a013',
      ].sort(),
    );
    expect(copy).toMatchObject({ region: COPY, role: 'copy', retention: { keepLast: 1 } });
    expect(ids(copy.targets[0].delete)).toEqual(['ami-0000000000000b012', 'snap-0000000000000b012']);
    expect(plan.notRotated).toEqual([{ region: SOURCE, target: GONE, images: 1, snapshots: 1 }]);
    // Other policies' and unmanaged resources never appear.
    expect(json.stdout).not.toMatch(/a911|f001/);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${SOURCE} (source; retention keepLast 2;`);
    expect(human.stdout).toMatch(
      /delete +ami-0000000000000a011 2026-03-01 02:00 run nightly-2026-03-01 — not among the newest 2/,
    );
    expect(human.stdout).toMatch(/keep +ami-0000000000000a013 .*newest available backup/);
    expect(human.stdout).toContain(`not rotated: ${GONE} in ${SOURCE}`);
    const state = await local().control.state<{ ec2: { regions: Record<string, { images: unknown[] }> } }>();
    expect(state.ec2.regions[SOURCE]?.images).toHaveLength(6);
    const counters = await local().control.counters();
    expect(JSON.stringify(counters)).not.toMatch(/DeregisterImage|DeleteSnapshot/);
  });

  it('limits the plan to --target', async () => {
    // Prepare
    await seedAccount();
    // Act
    const result = await runCli([
      'backup',
      'plan',
      '--policy',
      'nightly',
      '--target',
      GONE,
      '--at',
      AT,
      '--json',
      '--config',
      writeConfig(CONFIG),
      '--endpoint',
      local().url,
    ]);
    // Assess
    const plan = JSON.parse(result.stdout);
    expect(plan.regions[0].targets).toEqual([expect.objectContaining({ target: GONE, delete: [] })]);
    expect(plan.regions[1].targets).toEqual([
      expect.objectContaining({ target: GONE, keep: [], delete: [] }),
    ]);
    expect(plan.notRotated).toEqual([]);
  });
});
