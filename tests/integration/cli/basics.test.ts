import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { isOneLine, runCli, writeConfig } from './harness.ts';

const local = useLocalCloud();

const POLICY = `
backupPolicies:
  - name: nightly
    schedule: { cron: 'cron(0 2 * * ? *)', timeZone: Asia/Kolkata }
    sourceRegion: ap-south-1
    targets: { tags: { Backup: nightly } }
    retention: { keepLast: 3 }
`;

describe('shipyard CLI: config, usage errors and exit codes', () => {
  it('validates the shipped dev config (exit 0, human and --json)', async () => {
    // Act
    const human = await runCli(['config', 'validate', 'config/shipyard.dev.yml']);
    const json = await runCli(['config', 'validate', 'config/shipyard.dev.yml', '--json']);
    // Assess
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toContain('valid (2 sites, 1 backup policy)');
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, sites: 2, backupPolicies: 1 });
  });

  it('lists every problem of an invalid config with its line, exit 2', async () => {
    // Prepare: a copy region equal to the source (line 7) and a retention that keeps nothing (line 8)
    const file = writeConfig(`backupPolicies:
  - name: nightly
    schedule: { cron: 'cron(0 2 * * ? *)', timeZone: Asia/Kolkata }
    sourceRegion: ap-south-1
    targets: { tags: { Backup: nightly } }
    copyRegions:
      - region: ap-south-1
    retention: { keepLast: 0 }
`);
    // Act
    const result = await runCli(['config', 'validate', file]);
    const json = await runCli(['config', 'validate', file, '--json']);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('2 problems');
    expect(result.stdout).toMatch(
      new RegExp(
        `${file}:7:\\d+ backupPolicies\\[0\\]\\.copyRegions\\[0\\]\\.region: copy region ap-south-1 is the source region`,
      ),
    );
    expect(result.stdout).toMatch(
      new RegExp(`${file}:8:\\d+ backupPolicies\\[0\\]\\.retention: retention keeps nothing`),
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: false,
      problems: expect.arrayContaining([
        expect.objectContaining({ line: 7 }),
        expect.objectContaining({ line: 8 }),
      ]),
    });
  });

  it('prints --help for every command (exit 0)', async () => {
    for (const command of [
      ['backup', 'run'],
      ['backup', 'status'],
      ['backup', 'list'],
      ['backup', 'plan'],
      ['restore'],
    ]) {
      const result = await runCli([...command, '--help']);
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout).toContain(`Usage: shipyard ${command.join(' ')}`);
    }
  });

  it.each([
    ['an unknown flag', ['backup', 'plan', '--policy', 'nightly', '--bogus'], /unknown option '--bogus'/],
    [
      'a malformed target id',
      ['backup', 'plan', '--policy', 'nightly', '--target', 'i-xyz'],
      /--target: "i-xyz" is not an instance id/,
    ],
    [
      'an unknown policy',
      ['backup', 'run', '--policy', 'weekly'],
      /--policy: no backup policy "weekly" .*known: nightly/,
    ],
    [
      'a malformed --from',
      ['restore', '--from', 'snapshot-1', '--region', 'eu-west-1', '--az', 'eu-west-1a'],
      /--from: "snapshot-1" is not an AMI id/,
    ],
    [
      'an AZ of another region',
      ['restore', '--from', 'snap-0123abcd', '--region', 'eu-west-1', '--az', 'us-east-1a'],
      /--az: us-east-1a is not in region eu-west-1/,
    ],
    [
      'a bad region',
      ['restore', '--from', 'snap-0123abcd', '--region', 'europe', '--az', 'europe-a'],
      /--region: "europe" is not an AWS region name/,
    ],
    ['a bad --max', ['backup', 'list', '--max', '0'], /--max <n>' argument '0' is invalid/],
    ['a bad --status', ['backup', 'list', '--status', 'DONE'], /expected one of RUNNING/],
    [
      'a bad state machine ARN',
      ['backup', 'list', '--state-machine-arn', 'arn:nope'],
      /--state-machine-arn: "arn:nope" is not a state machine ARN/,
    ],
  ])('rejects %s with one line and exit 2', async (_what, args, message) => {
    // Act
    const result = await runCli([...args, '--config', writeConfig(POLICY), '--endpoint', local().url]);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(isOneLine(result.stderr)).toBe(true);
    expect(result.stdout).toBe('');
  });

  it('rejects an availability zone the region does not have (checked against EC2), exit 2', async () => {
    // Act
    const result = await runCli([
      'restore',
      '--from',
      'snap-0123abcd',
      '--region',
      'eu-west-1',
      '--az',
      'eu-west-1z',
      '--endpoint',
      local().url,
    ]);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'shipyard: --az: eu-west-1z is not an availability zone of eu-west-1 (eu-west-1a, eu-west-1b, eu-west-1c)\n',
    );
  });

  it.each([
    ['backup plan', ['backup', 'plan', '--policy', 'nightly']],
    ['backup list', ['backup', 'list']],
    ['restore', ['restore', '--from', 'snap-0123abcd', '--region', 'eu-west-1', '--az', 'eu-west-1a']],
  ])('%s against an unreachable endpoint exits 3 with one line', async (_what, args) => {
    // Act
    const result = await runCli([
      ...args,
      '--config',
      writeConfig(POLICY),
      '--endpoint',
      'http://127.0.0.1:1',
    ]);
    // Assess
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^shipyard: cannot reach the AWS endpoint/);
    expect(isOneLine(result.stderr)).toBe(true);
  });
});
