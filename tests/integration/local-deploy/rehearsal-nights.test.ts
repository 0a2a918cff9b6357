/**
 * The rehearsal's nights on the packaged stack when the clock passes a scheduled time before
 * the nights begin (the releases move it minutes ahead; `npm start` shortly before 02:00 in
 * Kolkata does this). The occurrence that came due then fires late at the first tick, next to
 * tonight's, and backupStart refuses it (its scheduled time is too far from the service clock):
 * each night must follow tonight's execution, not the refused one.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deployTemplate } from '@shipyard/local-cloud';
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoAccount } from '../../../cli/rehearsal/demo-account.ts';
import { deployEventForwarders } from '../../../cli/rehearsal/forwarders.ts';
import { runNights } from '../../../cli/rehearsal/nights.ts';
import { docsRelease, webRelease } from '../../../cli/rehearsal/site-content.ts';
import { type PackagedService, packageServiceCached } from '../../../scripts/package-service.ts';
import { createBackupExecutionsPort } from '../../../shared/aws/sfn-executions.ts';
import { parseConfig } from '../../../shared/config/load.ts';

/** 01:55 in Asia/Kolkata (UTC+05:30), five minutes before the nightly policy's 02:00. */
const FIVE_TO_TWO_IN_KOLKATA = Date.parse('2026-12-05T20:25:00Z');
const local = useLocalCloud({
  clock: { speed: 0, start: FIVE_TO_TWO_IN_KOLKATA },
  pollIntervalMs: 0,
  functionLogs: 'capture',
});
const CONFIG_FILE = resolve(import.meta.dirname, '..', '..', '..', 'config/shipyard.dev.yml');
const config = parseConfig(readFileSync(CONFIG_FILE, 'utf8'), CONFIG_FILE);
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let pkg: PackagedService;
beforeAll(async () => {
  pkg = await packageServiceCached('dev');
});

describe('the rehearsal nights', () => {
  it('follows each night’s own execution when an earlier occurrence came due before the first tick', async () => {
    // Prepare: the packaged stack (and its event forwarders) deployed at 01:55, then ten minutes pass unticked (as the releases do)
    const networks = config.backupPolicies.flatMap((p) => p.verify?.regions ?? []);
    await seedDemoAccount(local().control, { web: webRelease(1), docs: docsRelease(1) }, networks);
    const report = await deployTemplate({
      template: pkg.template,
      packageDir: pkg.dir,
      endpoint: local().url,
      stage: 'dev',
      sites: config.sites,
    });
    expect(report.blocking).toEqual([]);
    await deployEventForwarders({
      endpoint: local().url,
      stage: 'dev',
      homeRegion: 'us-east-1',
      policies: config.backupPolicies,
      packageDir: pkg.dir,
    });
    const machine = report.resources.find((r) => r.logicalId === 'BackupStateMachine')?.physicalId ?? '';
    await local().control.advance({ ms: 10 * 60_000 });

    // Act
    const nights = await runNights({
      control: local().control,
      executions: createBackupExecutionsPort({ endpoint: local().url, region: 'us-east-1', credentials }),
      stateMachineArn: machine,
      policy: { name: 'nightly', timeZone: 'Asia/Kolkata', hour: 2, minute: 0 },
      scheduleName: 'shipyard-dev-backup-nightly',
      nights: 2,
    });

    // Assert: the missed 6 December occurrence is not a night; the nights are the 7th and the 8th
    expect(nights.map((n) => [n.executionName, n.status, n.error])).toEqual([
      ['nightly-2026-12-07', 'SUCCEEDED', undefined],
      ['nightly-2026-12-08', 'SUCCEEDED', undefined],
    ]);
  });
});
