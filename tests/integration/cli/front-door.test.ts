/**
 * Bad input at the CLI's front door, as a user meets it (spawned processes): a busy port, JSON
 * through npm, and the README's exit code for each kind of error.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOneLine, runCli, writeConfig } from './harness.ts';

/** A port some other server holds. */
let busy: Server;
let busyPort: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

/** `npm --silent run <script> -- …` in the repository, as the README tells users to run it. */
const npmRun = (script: string, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('npm', ['--silent', 'run', script, '--', ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });

const POLICY = `
backupPolicies:
  - name: nightly
    schedule: { cron: 'cron(0 2 LW * ? *)', timeZone: Europe/Berlin }
    sourceRegion: eu-west-1
    targets: { tags: { Backup: nightly } }
    retention: { keepLast: 3 }
`;

describe('a port in use', () => {
  it('shipyard local start --port: one line naming the port and --port, exit 2', async () => {
    // Act
    const result = await runCli(['local', 'start', '--port', String(busyPort)]);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `shipyard: --port: port ${busyPort} on 127.0.0.1 is already in use (another local cloud?): stop it, or pick another port with --port N\n`,
    );
  });

  it('npm run local -- --port: the same line, exit 2, no stack trace', async () => {
    // Act
    const result = await npmRun('local', ['--port', String(busyPort)]);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `shipyard local: port ${busyPort} on 127.0.0.1 is already in use (another local cloud?): stop it, or pick another port with --port N\n`,
    );
    expect(result.stdout).toBe('');
  });
});

describe('--json through npm', () => {
  it('npm --silent run shipyard -- … --json prints only JSON on stdout', async () => {
    // Act
    const result = await npmRun('shipyard', ['config', 'validate', writeConfig(POLICY), '--json']);
    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, backupPolicies: 1, warnings: [] });
  });
});

describe('exit codes (README: 0 ok, 1 failed, 2 bad arguments or config, 3 unreachable or no credentials)', () => {
  it.each([
    [
      'a malformed --endpoint',
      ['backup', 'list', '--endpoint', 'localhost:4566'],
      {},
      2,
      'shipyard: --endpoint: "localhost:4566" is not an endpoint URL (expected http://host:port or https://host)\n',
    ],
    [
      'a malformed SHIPYARD_LOCAL_ENDPOINT with --local',
      ['backup', 'list', '--local'],
      { SHIPYARD_LOCAL_ENDPOINT: 'ftp://127.0.0.1:4566' },
      2,
      'shipyard: SHIPYARD_LOCAL_ENDPOINT: "ftp://127.0.0.1:4566" is not an endpoint URL (expected http://host:port or https://host)\n',
    ],
    [
      'an unknown --region',
      ['backup', 'list', '--region', 'eu-west-9'],
      {},
      2,
      `shipyard: --region: "eu-west-9" is not an AWS region: eu-west-9 is not in Shipyard's region list (of 2026-12; e.g. eu-west-1)\n`,
    ],
    [
      'a malformed AWS_REGION',
      ['backup', 'list'],
      { AWS_REGION: 'europe' },
      2,
      'shipyard: AWS_REGION: "europe" is not an AWS region name (e.g. eu-west-1)\n',
    ],
  ])('%s: one line naming the source', async (_what, args, env, code, stderr) => {
    // Act
    const result = await runCli(args, env);
    // Assess
    expect(result).toMatchObject({ code, stderr, stdout: '' });
  });

  it('missing credentials: one line saying what to set, exit 3', async () => {
    // Prepare: no keys, no profile files, no instance metadata
    const home = mkdtempSync(join(tmpdir(), 'shipyard-home-'));
    // Act
    const result = await runCli(['backup', 'list', '--region', 'eu-west-1'], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      HOME: home,
    });
    // Assess
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^shipyard: no AWS credentials \(.+\): set AWS_PROFILE or --profile/);
    expect(isOneLine(result.stderr)).toBe(true);
  });

  it('config validate: a refused config exits 2, warnings exit 0 and are printed', async () => {
    // Prepare
    const refused = writeConfig(POLICY.replace('cron(0 2 LW * ? *)', '0 2 30 2 ? *'));
    const gap = writeConfig(POLICY.replace('cron(0 2 LW * ? *)', '30 2 ? * SUN *'));
    // Act
    const bad = await runCli(['config', 'validate', refused]);
    const warned = await runCli(['config', 'validate', gap]);
    // Assess
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(
      new RegExp(`${refused}:4:\\d+ backupPolicies\\[0\\]\\.schedule\\.cron: cron: never fires`),
    );
    expect(warned.code).toBe(0);
    expect(warned.stdout).toContain('valid (0 sites, 1 backup policy, 1 warning)');
    expect(warned.stdout).toMatch(
      new RegExp(
        `warning: ${gap}:4:\\d+ backupPolicies\\[0\\]\\.schedule\\.cron: 02:30 does not exist in Europe/Berlin on \\d{4}-03-\\d\\d, \\d{4}-03-\\d\\d`,
      ),
    );
  });
});
