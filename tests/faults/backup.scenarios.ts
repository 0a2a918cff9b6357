/**
 * Fault scenarios 1–7: the real backup ASL with its real handlers against the local cloud
 * (tests/helpers/backup-workflow.ts), each run followed by the common property checks.
 */

import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import type { BackupDeps } from '../../shared/backup-service/deps.ts';
import type { Ec2Port } from '../../shared/backup-service/ports/ec2.ts';
import { createBackupWorkflow } from '../helpers/backup-workflow.ts';
import {
  COPY_A,
  COPY_B,
  INSTANCE_A,
  INSTANCE_B,
  INSTANCE_C,
  KEY_B,
  MISSING_KEY,
  type OldBackup,
  policy,
  SOURCE,
  seedFleet,
  seedOldBackups,
  VOLUMES_B,
} from '../workflow/backup/scenario.ts';
import { ledgerFor } from './ledger.ts';
import { COMMON_PROPERTIES, night } from './nightly.ts';
import { foreignFingerprint, seedForeign, unfinishedManagedImages } from './properties.ts';

const TARGETS = [INSTANCE_A, INSTANCE_B, INSTANCE_C];
const REGIONS = [SOURCE, COPY_A, COPY_B];
const NIGHT = (day: number) => `2026-02-${String(day).padStart(2, '0')}T00:30:00.000Z`;
const RUN = (day: number) => `nightly-2026-02-${String(day).padStart(2, '0')}`;

const SCENARIOS = {
  throttling: {
    id: 1,
    name: '30% RequestLimitExceeded on every EC2 action, two nights + a re-run',
    properties: [...COMMON_PROPERTIES, 'every run succeeds despite the storm'],
  },
  snapshotError: {
    id: 3,
    name: 'a snapshot ends in error',
    properties: [
      ...COMMON_PROPERTIES,
      'only that target fails, named in the summary',
      'next night: all restorable, error leftovers rotated away',
    ],
  },
  registerFailed: {
    id: 4,
    name: 'AMI registration fails',
    properties: [...COMMON_PROPERTIES, 'only that target fails', 'next night: failed AMI rotated away'],
  },
  badKmsKey: {
    id: 5,
    name: "one region's copy fails (bad KMS key)",
    properties: [
      ...COMMON_PROPERTIES,
      'other regions done and shared',
      'next night (key fixed): failed copies rotated away',
    ],
  },
  copyLimit: {
    id: 6,
    name: 'copy concurrency limit reached with 40 targets at once',
    properties: [...COMMON_PROPERTIES, 'the limit was hit and waited out: no target failed'],
  },
  rotationCrash: {
    id: 7,
    name: 'rotation Lambda crashes halfway, run re-driven',
    properties: [
      ...COMMON_PROPERTIES,
      'crashed run fails with the crash named',
      're-drive finishes retention; nothing deleted twice',
    ],
  },
} as const;

export function backupScenarios() {
  describe('fault matrix: backup workflow', () => {
    const local = useLocalCloud({ clock: { start: Date.parse('2026-01-31T12:00:00Z') } });

    const prepare = async (extra: Record<string, unknown> = {}, options = {}) => {
      await seedFleet(local().control, extra);
      await seedForeign(local().control, REGIONS, INSTANCE_A);
      const foreign = await foreignFingerprint(local().control, 'nightly');
      const workflow = await createBackupWorkflow(local, options);
      return { workflow, foreign };
    };

    it(`${SCENARIOS.throttling.id}. ${SCENARIOS.throttling.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.throttling);
      const { workflow, foreign } = await prepare();
      await local().control.addFaults([{ service: 'ec2', code: 'RequestLimitExceeded', probability: 0.3 }]);
      const base = {
        ledger,
        local: local(),
        workflow,
        policy: policy(),
        targets: TARGETS,
        regions: REGIONS,
        foreign,
      };
      // Night 2 again is its execution re-driven (a new execution of that run id is refused).
      for (const [day, at] of [
        [1, NIGHT(1)],
        [2, NIGHT(2)],
        [2, undefined],
      ] as const) {
        const outcome = await night({ ...base, runId: RUN(day), ...(at ? { at } : { redrive: true }) });
        ledger.check(
          'every run succeeds despite the storm',
          outcome.status === 'succeeded',
          `${RUN(day)}: ${outcome.cause}`,
        );
      }
      ledger.check('the storm happened', (await local().control.counters()).faultsInjected > 20);
      expect(ledger.violations).toEqual([]);
    });

    it(`${SCENARIOS.snapshotError.id}. ${SCENARIOS.snapshotError.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.snapshotError);
      const { workflow, foreign } = await prepare({
        asyncFaults: [{ kind: 'snapshot-error', volumeId: VOLUMES_B[1] }],
      });
      const base = {
        ledger,
        local: local(),
        workflow,
        policy: policy(),
        targets: TARGETS,
        regions: REGIONS,
        foreign,
      };
      const first = await night({ ...base, runId: RUN(1), at: NIGHT(1) });
      const failed = first.summary?.targets.filter((t) => t.status === 'failed').map((t) => t.target);
      ledger.check(
        'only that target fails, named in the summary',
        JSON.stringify(failed) === JSON.stringify([INSTANCE_B]),
        String(failed),
      );
      ledger.check(
        'only that target fails, named in the summary',
        (first.cause ?? '').includes('SnapshotFailed'),
        first.cause,
      );
      const second = await night({ ...base, runId: RUN(2), at: NIGHT(2) });
      ledger.check('next night: all restorable', second.status === 'succeeded', second.cause);
      const leftovers = await local().control.state<{
        ec2: { regions: Record<string, { snapshots: { state: string; tags: Record<string, string> }[] }> };
      }>();
      const errored = Object.values(leftovers.ec2.regions).flatMap((r) =>
        r.snapshots.filter((s) => s.state === 'error' && s.tags['shipyard:policy'] === 'nightly'),
      );
      ledger.check(
        'error leftovers rotated away',
        errored.length === 0,
        `${errored.length} error snapshots left`,
      );
      expect(ledger.violations).toEqual([]);
    });

    it(`${SCENARIOS.registerFailed.id}. ${SCENARIOS.registerFailed.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.registerFailed);
      const { workflow, foreign } = await prepare({
        asyncFaults: [{ kind: 'register-failed', region: SOURCE }],
      });
      const base = {
        ledger,
        local: local(),
        workflow,
        policy: policy(),
        targets: TARGETS,
        regions: REGIONS,
        foreign,
      };
      const first = await night({ ...base, runId: RUN(1), at: NIGHT(1) });
      const failed = first.summary?.targets.filter((t) => t.status === 'failed') ?? [];
      ledger.check(
        'only that target fails',
        failed.length === 1 && first.status === 'failed',
        JSON.stringify(failed),
      );
      ledger.check(
        'only that target fails',
        (first.cause ?? '').includes('ImageRegistrationFailed'),
        first.cause,
      );
      const second = await night({ ...base, runId: RUN(2), at: NIGHT(2) });
      ledger.check('next night succeeds', second.status === 'succeeded', second.cause);
      const orphans = await unfinishedManagedImages(local().control, 'nightly');
      ledger.check('next night: failed AMI rotated away', orphans.length === 0, orphans.join());
      expect(ledger.violations).toEqual([]);
    });

    it(`${SCENARIOS.badKmsKey.id}. ${SCENARIOS.badKmsKey.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.badKmsKey);
      const { workflow, foreign } = await prepare();
      const base = { ledger, local: local(), workflow, targets: TARGETS, regions: REGIONS, foreign };
      const badKey = policy({
        copyRegions: [
          { region: COPY_A, kmsKeyId: policy().copyRegions[0]?.kmsKeyId },
          { region: COPY_B, kmsKeyId: MISSING_KEY },
        ],
      });
      const first = await night({
        ...base,
        policy: badKey,
        runId: RUN(1),
        at: NIGHT(1),
        regions: [SOURCE, COPY_A],
      });
      for (const t of first.summary?.targets ?? []) {
        const statuses = t.regions.map((r) => `${r.region}:${r.status}`).join(',');
        ledger.check(
          'other regions done and shared',
          statuses === `${SOURCE}:succeeded,${COPY_A}:succeeded,${COPY_B}:failed`,
          statuses,
        );
      }
      const fixed = policy({
        copyRegions: [
          { region: COPY_A, kmsKeyId: policy().copyRegions[0]?.kmsKeyId },
          { region: COPY_B, kmsKeyId: KEY_B },
        ],
      });
      const second = await night({ ...base, policy: fixed, runId: RUN(2), at: NIGHT(2) });
      ledger.check('next night succeeds', second.status === 'succeeded', second.cause);
      const orphans = await unfinishedManagedImages(local().control, 'nightly');
      ledger.check(
        'next night (key fixed): failed copies rotated away',
        orphans.length === 0,
        orphans.join(),
      );
      expect(ledger.violations).toEqual([]);
    });

    it(`${SCENARIOS.copyLimit.id}. ${SCENARIOS.copyLimit.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.copyLimit);
      // Forty targets in flight at once against a limit of 5 copies per destination.
      const ids = Array.from({ length: 40 }, (_, n) => `i-0${n.toString(16).padStart(16, '0')}`);
      await local().control.seed({
        ec2: {
          instances: ids.map((instanceId, n) => ({
            region: SOURCE,
            instanceId,
            architecture: 'x86_64',
            rootDeviceName: '/dev/xvda',
            tags: { Fleet: 'web' },
            volumes: [
              {
                deviceName: '/dev/xvda',
                volumeId: `vol-0${n.toString(16).padStart(16, '0')}`,
                sizeGiB: 1,
                volumeType: 'gp3',
              },
            ],
          })),
          kmsKeys: policy().copyRegions.map((c) => ({ region: c.region, keyId: c.kmsKeyId ?? '' })),
          limits: { concurrentImageCopies: 5 },
        },
      });
      // Copies that outlast the Map's first wave, so that forty targets want a slot at once.
      await local().control.setDurations({ copyMinMs: 30 * 60_000 });
      await seedForeign(local().control, REGIONS, ids[0] ?? '');
      const foreign = await foreignFingerprint(local().control, 'nightly');
      const workflow = await createBackupWorkflow(local);
      const fleet = policy({ targets: { tags: { Fleet: 'web' } }, share: {}, maxConcurrency: 40 });
      const outcome = await night({
        ledger,
        local: local(),
        workflow,
        policy: fleet,
        runId: RUN(1),
        at: NIGHT(1),
        targets: ids,
        regions: REGIONS,
        foreign,
      });
      ledger.check(
        'no target failed',
        outcome.status === 'succeeded' && outcome.summary?.totals.failed === 0,
        outcome.cause,
      );
      const copies = (await local().control.counters()).calls
        .filter((c) => c.service === 'ec2' && c.action === 'CopyImage')
        .reduce((n, c) => n + c.count, 0);
      ledger.check(
        'the limit was hit and waited out',
        copies > ids.length * 2,
        `${copies} CopyImage calls for ${ids.length * 2} copies`,
      );
      expect(ledger.violations).toEqual([]);
    });

    it(`${SCENARIOS.rotationCrash.id}. ${SCENARIOS.rotationCrash.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.rotationCrash);
      let crashAfter = 2;
      let deregistered = 0;
      const crashing = (deps: BackupDeps): BackupDeps => ({
        ...deps,
        ec2: (region) => {
          const port = deps.ec2(region);
          const wrapped: Ec2Port = {
            ...port,
            deregisterImage: async (imageId, deleteSnapshots) => {
              if (crashAfter === 0) {
                // What Step Functions reports when the Lambda process dies mid-invocation.
                throw Object.assign(new Error('Runtime exited with error: signal: killed'), {
                  name: 'Runtime.ExitError',
                });
              }
              crashAfter -= 1;
              deregistered += 1;
              return port.deregisterImage(imageId, deleteSnapshots);
            },
          };
          return wrapped;
        },
      });
      const old = (day: number): OldBackup => ({
        policy: 'nightly',
        target: INSTANCE_A,
        runId: `nightly-2026-01-${String(day).padStart(2, '0')}`,
        createdAt: `2026-01-${String(day).padStart(2, '0')}T00:30:00.000Z`,
        hex: `0a${String(day).padStart(2, '0')}0000000000000`,
      });
      const { workflow, foreign } = await prepare({}, { decorateDeps: crashing });
      await seedOldBackups(local().control, SOURCE, [20, 21, 22, 23, 24, 25].map(old));
      const keepTwo = policy({
        targets: { instanceIds: [INSTANCE_A] },
        copyRegions: [],
        share: {},
        retention: { keepLast: 2 },
      });
      const base = {
        ledger,
        local: local(),
        workflow,
        policy: keepTwo,
        targets: [INSTANCE_A],
        regions: [SOURCE],
        foreign: '',
      };
      const fingerprint = await foreignFingerprint(local().control, 'nightly');
      ledger.check('foreign resources seeded', fingerprint === foreign);
      const crashed = await night({ ...base, foreign, runId: RUN(1), at: NIGHT(1) });
      ledger.check(
        'crashed run fails with the crash named',
        crashed.status === 'failed' && (crashed.cause ?? '').includes('Runtime.ExitError'),
        crashed.cause,
      );
      crashAfter = Number.POSITIVE_INFINITY;
      const redriven = await night({ ...base, foreign, runId: RUN(1), redrive: true });
      ledger.check('re-drive succeeds', redriven.status === 'succeeded', redriven.cause);
      const images = (
        await local().control.state<{
          ec2: { regions: Record<string, { images: { tags: Record<string, string> }[] }> };
        }>()
      ).ec2.regions[SOURCE]?.images
        .filter((i) => i.tags['shipyard:policy'] === 'nightly' && i.tags['shipyard:target'] === INSTANCE_A)
        .map((i) => i.tags['shipyard:run'])
        .sort();
      ledger.check(
        're-drive finishes retention',
        JSON.stringify(images) === JSON.stringify(['nightly-2026-01-25', RUN(1)]),
        String(images),
      );
      ledger.check(
        'nothing deleted twice',
        deregistered === 5,
        `${deregistered} deregistrations for 5 expired backups`,
      );
      expect(ledger.violations).toEqual([]);
    });
  });
}
