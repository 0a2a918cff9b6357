import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/load.ts';
import { deployBackupMachine, isOneLine, runCli, writeConfig } from './harness.ts';

/** A fast simulated clock: the workflow's Wait states and the snapshots/copies pass in a blink. */
const local = useLocalCloud({ clock: { speed: 2000 } });

const SOURCE = 'eu-west-1';
const COPY = 'us-east-1';
const WEB = 'i-0aaaaaaaaaaaaaaa1';
const CONFIG = `
backupPolicies:
  - name: nightly
    schedule: { cron: 'cron(0 2 * * ? *)', timeZone: UTC }
    sourceRegion: ${SOURCE}
    targets: { tags: { Backup: nightly } }
    copyRegions: [{ region: ${COPY} }]
    retention: { keepLast: 2 }
`;

const setUp = async (configText = CONFIG) => {
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
    },
  });
  const machineArn = await deployBackupMachine(local(), SOURCE, parseConfig(configText).backupPolicies);
  const config = writeConfig(configText);
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli([...args, '--config', config, '--region', SOURCE, '--endpoint', local().url], env);
  return { machineArn, cli };
};

describe('shipyard backup run / status / list', () => {
  it('runs a backup with live progress per target, then shows it in status and list', async () => {
    // Prepare
    const { cli, machineArn } = await setUp();
    // Act
    const run = await cli([
      'backup',
      'run',
      '--policy',
      'nightly',
      '--name',
      'nightly-cli-1',
      '--wait',
      '--poll-seconds',
      '0.1',
    ]);
    const status = await cli(['backup', 'status', 'nightly-cli-1', '--json']);
    const latest = await cli(['backup', 'status', '--json']);
    const again = await cli(['backup', 'run', '--policy', 'nightly', '--name', 'nightly-cli-1']);
    const list = await cli(['backup', 'list', '--policy', 'nightly', '--json']);
    const failedOnly = await cli(['backup', 'list', '--status', 'failed', '--json'], {
      SHIPYARD_BACKUP_STATE_MACHINE_ARN: machineArn,
    });
    // Assess: progress lines on stderr, the summary on stdout
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('started nightly-cli-1');
    // How many intermediate lines appear depends on polling; the last one per target does not,
    // nor the Distributed Map's counts at the end (one child execution per target).
    expect(run.stderr).toMatch(
      new RegExp(
        `${WEB} \\[done\\]: snapshots completed \\(1\\); AMI ami-\\w+ available; copies ${COPY} ami-\\w+ available; rotation ${SOURCE} deleted 0 kept 1 backup\\(s\\), ${COPY} deleted 0 kept 1 backup\\(s\\)\n(targets: 1/1 done, 0 running, 0 waiting, 0 failed\n)?$`,
      ),
    );
    expect(run.stderr).toContain('targets: 1/1 done, 0 running, 0 waiting, 0 failed\n');
    expect(run.stdout).toContain('nightly-cli-1: SUCCEEDED');
    expect(run.stdout).toContain('Summary: 1/1 targets backed up');
    expect(run.stdout).toMatch(new RegExp(`${COPY} \\(copy\\) succeeded: ami-\\w+`));
    const view = JSON.parse(status.stdout);
    expect(status.code).toBe(0);
    expect(view).toMatchObject({
      name: 'nightly-cli-1',
      status: 'SUCCEEDED',
      summary: { policy: 'nightly', runId: 'nightly-cli-1', overallStatus: 'succeeded' },
      targets: [
        {
          id: WEB,
          phase: 'done',
          image: { state: 'available' },
          copies: [{ region: COPY, state: 'available' }],
        },
      ],
    });
    expect(JSON.parse(latest.stdout).name).toBe('nightly-cli-1');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^shipyard: backup nightly-cli-1 already ran \(SUCCEEDED at .*\); see it with: shipyard backup status nightly-cli-1/,
    );
    expect(isOneLine(again.stderr)).toBe(true);
    expect(JSON.parse(list.stdout).executions).toEqual([
      expect.objectContaining({ name: 'nightly-cli-1', status: 'SUCCEEDED' }),
    ]);
    expect(JSON.parse(failedOnly.stdout).executions).toEqual([]);
  });

  it('exits 1 when the run fails, naming the failed target', async () => {
    // Prepare: the policy lists an instance that does not exist; it fails its own branch, and so the run
    const { cli } = await setUp(
      CONFIG.replace(
        'targets: { tags: { Backup: nightly } }',
        "targets: { tags: { Backup: nightly }, instanceIds: ['i-0fffffffffffffff9'] }",
      ),
    );
    // Act
    const run = await cli([
      'backup',
      'run',
      '--policy',
      'nightly',
      '--target',
      'i-0fffffffffffffff9',
      '--wait',
      '--poll-seconds',
      '0.1',
      '--json',
    ]);
    // Assess
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      status: 'FAILED',
      error: 'BackupRunFailed',
      name: expect.stringMatching(/^nightly-manual-\d{8}T\d{6}Z$/),
      summary: { overallStatus: 'failed' },
      targets: [
        { id: 'i-0fffffffffffffff9', phase: 'failed', error: expect.stringMatching(/TargetNotFound/) },
      ],
    });
  });

  it('without --wait starts the run and returns; an unknown execution is a usage error', async () => {
    // Prepare
    const { cli } = await setUp();
    // Act
    const started = await cli(['backup', 'run', '--policy', 'nightly', '--dry-run', '--json']);
    const missing = await cli(['backup', 'status', 'nightly-never']);
    // Assess
    expect(started.code).toBe(0);
    const out = JSON.parse(started.stdout);
    // The input names the deployed policy; the run id is the execution name, not an input field.
    expect(out).toMatchObject({ status: 'RUNNING', input: { dryRun: true, policy: 'nightly' } });
    expect(out.input).toEqual({ dryRun: true, policy: 'nightly' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^shipyard: EXECUTION: no execution arn:aws:states:eu-west-1:\d{12}:execution:shipyard-dev-backup:nightly-never\n$/,
    );
  });

  it('--dry-run --wait shows the plan and creates nothing', async () => {
    // Prepare
    const { cli } = await setUp();
    local().cloud.counters.reset();
    // Act
    const run = await cli([
      'backup',
      'run',
      '--policy',
      'nightly',
      '--name',
      'nightly-dry-1',
      '--dry-run',
      '--wait',
      '--poll-seconds',
      '0.1',
    ]);
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('nightly-dry-1: SUCCEEDED');
    expect(run.stdout).toContain(
      'Summary (dry run, nothing created, copied, shared or deleted): 1/1 targets planned',
    );
    expect(run.stdout).toContain('Would snapshot 1 volume(s) (8 GiB), register 1 AMI(s), make 1 copy(ies)');
    expect(run.stdout).toContain(
      `    AMI shipyard/nightly/${WEB}/nightly-dry-1 (x86_64, root /dev/xvda, 1 mapping(s))`,
    );
    expect(run.stdout).toContain(`    copy to ${COPY}`);
    const { calls } = await local().control.counters();
    const ec2 = calls.filter((c) => c.service === 'ec2').map((c) => c.action);
    expect(ec2.length).toBeGreaterThan(0);
    expect(ec2.filter((action) => !action.startsWith('Describe'))).toEqual([]);
  });

  it('refuses a config whose policy differs from the deployed one and shows each difference', async () => {
    // Prepare: the stack runs keepLast 2; the operator's file says keepLast 1 (same name).
    await setUp();
    const drifted = writeConfig(CONFIG.replace('keepLast: 2', 'keepLast: 1'));
    local().cloud.counters.reset();
    // Act
    const run = await runCli([
      'backup',
      'run',
      '--policy',
      'nightly',
      '--config',
      drifted,
      '--region',
      SOURCE,
      '--endpoint',
      local().url,
    ]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`  retention.keepLast: deployed 2, ${drifted} 1\n`);
    expect(run.stderr).toMatch(
      /shipyard: --config: policy "nightly" differs from the deployed one in 1 field/,
    );
    const { calls } = await local().control.counters();
    expect(calls.filter((c) => c.action === 'StartExecution')).toEqual([]);
    expect(calls.filter((c) => c.service === 'ec2')).toEqual([]);
  });

  it('says what --dry-run does: the whole run is planned, nothing is created or deleted', async () => {
    // Act
    const help = await runCli(['backup', 'run', '--help']);
    // Assess: the workflow only Describes under dryRun (see tests/workflow/backup/dry-run.test.ts).
    expect(help.code).toBe(0);
    const dryRun = help.stdout.slice(help.stdout.indexOf('--dry-run')).replace(/\s+/g, ' ');
    expect(dryRun).toMatch(/^--dry-run create, copy, share and delete nothing: report per target/);
    expect(dryRun).not.toMatch(/^--dry-run back up as usual/);
  });

  it('says so when no state machine is deployed under the stage name', async () => {
    // Prepare
    const { cli } = await setUp();
    // Act
    const result = await cli(['backup', 'list', '--stage', 'prod']);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no state machine named shipyard-prod-backup/);
  });
});
