/**
 * A whole fleet in one policy (issue 14 §4), the real ASL in-process
 * (tests/helpers/backup-workflow.ts): the parent discovers the targets, writes them to S3,
 * and a Distributed Map runs one child execution per target, exporting the results to S3
 * for Summarize. Step Functions Developer Guide: "Using Map state in Distributed mode",
 * "ItemReader (Map)" (a missing or malformed item file fails the Map with
 * States.ItemReaderFailed), "ResultWriter (Map)", "Redriving Map Runs" (a redrive re-runs
 * only the child executions that did not succeed).
 */
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/backup/summary.ts';
import type { BackupDeps } from '../../../shared/backup-service/deps.ts';
import { localRunFiles } from '../../helpers/backup-deps.ts';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { policy, runInput, SOURCE } from './scenario.ts';

const volumeId = (n: number) => `vol-0${n.toString(16).padStart(16, '0')}`;
const volumes = (count: number) => Array.from({ length: count }, (_, n) => volumeId(n));

describe('a fleet in one policy: Distributed Map, one child execution per target', () => {
  const local = useLocalCloud({ clock: { start: Date.parse('2026-02-01T00:30:00Z') } });

  const seedVolumes = (ids: string[]) =>
    local().control.seed({
      ec2: {
        volumes: ids.map((id) => ({ region: SOURCE, volumeId: id, sizeGiB: 1, volumeType: 'gp3' as const })),
      },
    });
  const fleetPolicy = (ids: string[], more = {}) =>
    policy({ targets: { volumeIds: ids }, copyRegions: [], share: {}, ...more });
  /** Managed snapshots per volume in the source region. */
  const snapshotsPerVolume = async () => {
    const ec2 = new EC2Client(clientConfig(local().url, SOURCE));
    const out = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [{ Name: 'tag:shipyard:managed', Values: ['true'] }],
          MaxResults: 1000,
          NextToken: token,
        }),
      );
      for (const s of page.Snapshots ?? []) out.set(s.VolumeId ?? '', (out.get(s.VolumeId ?? '') ?? 0) + 1);
      token = page.NextToken;
    } while (token);
    return out;
  };

  it('backs up 1,000 targets in one run; the parent carries locations and counts, never the fleet', async () => {
    // Prepare
    const ids = volumes(1_000);
    await seedVolumes(ids);
    // 250 children at a time: in one process, a thousand at once would only measure sockets.
    const p = fleetPolicy(ids, { maxConcurrency: 250 });
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(p, 'nightly-2026-02-01'));
    // Assess
    expect(result.status, result.cause).toBe('succeeded');
    expect(result.children).toBe(1_000);
    const summary = result.output as RunSummary;
    expect(summary.totals).toMatchObject({ targets: 1_000, succeeded: 1_000, failed: 0, snapshots: 1_000 });
    // The output lists a bounded number of targets; the whole summary is in the results bucket.
    expect(summary.targetsOmitted).toBe(1_000 - summary.targets.length);
    expect(Buffer.byteLength(JSON.stringify(result.lastOutput.DiscoverTargets))).toBeLessThan(64 * 1024);
    expect(Buffer.byteLength(JSON.stringify(result.lastOutput.Summarize))).toBeLessThan(64 * 1024);
    const whole = (await localRunFiles(local).getJson(
      summary.document as { bucket: string; key: string },
    )) as RunSummary;
    expect(whole.targets.map((t) => t.target).sort()).toEqual(ids);
    const perVolume = await snapshotsPerVolume();
    expect(ids.filter((id) => perVolume.get(id) !== 1)).toEqual([]);
  });

  it('a redrive after the parent stopped halfway through the map backs up no target twice and skips none', async () => {
    // Prepare: the parent is stopped once 10 of 24 children have ended.
    const ids = volumes(24);
    await seedVolumes(ids);
    const p = fleetPolicy(ids, { maxConcurrency: 4 });
    let stopAt: number | undefined = 10;
    const workflow = await createBackupWorkflow(local, {
      onChildEnd: (done) => {
        if (stopAt !== undefined && done >= stopAt) throw new Error('StopExecution');
      },
    });
    const execution = runInput(p, 'nightly-2026-02-01');
    // Act
    const stopped = await workflow.run(execution);
    const before = await snapshotsPerVolume();
    stopAt = undefined;
    const redriven = await workflow.run(execution, { redrive: true });
    // Assess: the first run stopped with some targets done and some mid-way.
    expect(stopped).toMatchObject({ status: 'failed', error: 'ExecutionAborted' });
    expect(before.size).toBeGreaterThanOrEqual(10);
    expect(before.size).toBeLessThan(ids.length);
    expect(redriven.status, redriven.cause).toBe('succeeded');
    expect((redriven.output as RunSummary).totals).toMatchObject({ targets: 24, succeeded: 24, failed: 0 });
    // Only the children that had not succeeded ran again …
    expect(redriven.children).toBeLessThanOrEqual(ids.length - 10);
    // … and every volume has exactly one backup of this run.
    const after = await snapshotsPerVolume();
    expect(ids.filter((id) => after.get(id) !== 1)).toEqual([]);
  });

  /**
   * AWS limits are waits (EC2 User Guide, "How AMI copy works": over the concurrent AMI copies
   * of a destination Region, CopyImage answers ResourceLimitExceeded). Three policies started
   * at the same moment, 36 targets in all, against a destination holding 4 copies at a time
   * with copies of 30 minutes: every target waits its turn, none fails.
   */
  it('three overlapping policies saturating the copy limit all succeed', async () => {
    const instances = Array.from({ length: 36 }, (_, n) => ({
      region: SOURCE,
      instanceId: `i-0${n.toString(16).padStart(16, '0')}`,
      architecture: 'x86_64',
      rootDeviceName: '/dev/xvda',
      tags: { Fleet: `shard-${n % 3}` },
      volumes: [{ deviceName: '/dev/xvda', volumeId: volumeId(n), sizeGiB: 1, volumeType: 'gp3' as const }],
    }));
    await local().control.seed({ ec2: { instances, limits: { concurrentImageCopies: 4 } } });
    await local().control.setDurations({ copyMinMs: 30 * 60_000 });
    const policies = [0, 1, 2].map((k) =>
      policy({
        name: `shard-${k}`,
        targets: { tags: { Fleet: `shard-${k}` } },
        copyRegions: [{ region: 'us-east-1' }],
        share: {},
      }),
    );
    const workflow = await createBackupWorkflow(local);
    const results = await Promise.all(
      policies.map((p) => workflow.run({ ...runInput(p, `${p.name}-2026-02-01`), policies })),
    );
    for (const result of results) {
      expect(result.status, result.cause).toBe('succeeded');
      expect((result.output as RunSummary).totals).toMatchObject({ targets: 12, failed: 0 });
    }
    const copies = (await local().control.counters()).calls
      .filter((c) => c.service === 'ec2' && c.action === 'CopyImage')
      .reduce((n, c) => n + c.count, 0);
    // The limit was hit and waited out: more CopyImage calls than copies.
    expect(copies).toBeGreaterThan(36);
  });

  describe('an item or result file in S3 that cannot be read', () => {
    const ids = volumes(3);
    const corrupting =
      (step: string, change: (files: BackupDeps['runFiles']) => BackupDeps['runFiles']) =>
      (deps: BackupDeps, functionKey: string): BackupDeps =>
        functionKey === step ? { ...deps, runFiles: change(deps.runFiles) } : deps;

    it.each([
      ['missing', true, /NoSuchKey/],
      ['not a JSON array', undefined, /not a JSON array/],
    ] as const)(
      'an item file %s fails the run with States.ItemReaderFailed before any target is touched',
      async (_kind, skip, cause) => {
        await seedVolumes(ids);
        const workflow = await createBackupWorkflow(local, {
          decorateDeps: corrupting('backupDiscoverTargets', (files) => ({
            ...files,
            putJson: async (key, body) => {
              if (!skip) return files.putJson(key, { targets: body });
              await files.putJson('items/another-run.json', []);
              return { bucket: files.bucket(), key };
            },
          })),
        });
        const result = await workflow.run(runInput(fleetPolicy(ids), 'nightly-2026-02-01'));
        expect(result).toMatchObject({ status: 'failed', error: 'States.ItemReaderFailed', children: 0 });
        expect(result.cause).toMatch(cause);
        expect((await snapshotsPerVolume()).size).toBe(0);
      },
    );

    it('a malformed result file fails the run with RunFileUnreadable naming the file (the backups themselves are complete)', async () => {
      await seedVolumes(ids);
      const workflow = await createBackupWorkflow(local, {
        decorateDeps: corrupting('backupSummarize', (files) => ({
          ...files,
          getJson: async (location) =>
            location.key.endsWith('SUCCEEDED_0.json') ? [{ Status: 'SUCCEEDED' }] : files.getJson(location),
        })),
      });
      const result = await workflow.run(runInput(fleetPolicy(ids), 'nightly-2026-02-01'));
      expect(result).toMatchObject({ status: 'failed', error: 'RunFileUnreadable' });
      expect(result.cause).toMatch(
        /^result file s3:\/\/shipyard-test-backup-results\/results\/.+\/SUCCEEDED_0\.json: \[0\]\.Input: /,
      );
      expect([...(await snapshotsPerVolume()).values()]).toEqual([1, 1, 1]);
    });
  });
});
