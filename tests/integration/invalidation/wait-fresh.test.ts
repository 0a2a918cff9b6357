/**
 * `shipyard invalidate --wait` and `shipyard notify-deploy --wait` over the local cloud, on its
 * frozen simulated clock: the CLI's pauses advance it, so the seconds reported are simulated
 * ones and no real time passes. CloudFront: an invalidation's Status goes InProgress → Completed
 * (GetInvalidation); there is no completion event to wait on, so the CLI polls.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { registerLocalFunction } from '@shipyard/local-cloud';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { register as registerInvalidate } from '../../../cli/commands/invalidate.ts';
import { register as registerNotify } from '../../../cli/commands/notify-deploy.ts';
import type { Output } from '../../../cli/output.ts';
import { makeHandler as makeDeployEventHandler } from '../../../functions/invalidate-deploy-event/handler.ts';
import { makeDeps, seedDistributions, WEB_DIST, WEB_DIST_2 } from './harness.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const CONFIG = `
sites:
  - name: web
    bucket: web-bucket
    keyPrefix: site/
    distributionIds: [${WEB_DIST}, ${WEB_DIST_2}]
    repo: { fullName: acme/web, branch: main, pathPrefix: public/ }
    invalidation: { inventory: never }
`;

const configFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipyard-wait-'));
  writeFileSync(join(dir, 'shipyard.yml'), CONFIG);
  return join(dir, 'shipyard.yml');
};

/** A repository with two commits; the second changes public/index.html. */
const makeRepo = () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipyard-wait-repo-'));
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'CI');
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'public', 'index.html'), 'v1');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  writeFileSync(join(dir, 'public', 'index.html'), 'v2');
  git('commit', '-q', '-am', 'two');
  return dir;
};

/** The commands on a program with the CLI's global options; result and progress captured. */
const run = async (args: string[]) => {
  const results: unknown[] = [];
  const progress: string[] = [];
  const output: Output = {
    json: true,
    result: (data) => results.push(data),
    progress: (line) => progress.push(line),
  };
  const program = new Command('shipyard')
    .option('--endpoint <url>')
    .option('--config <file>')
    .option('--region <region>')
    .option('--json')
    .exitOverride()
    .configureOutput({ writeErr: () => {} });
  registerInvalidate(program, output);
  registerNotify(program, output);
  await program.parseAsync([...args, '--endpoint', local().url, '--config', configFile()], { from: 'user' });
  return { result: results[0] as Record<string, { fresh: boolean; seconds: number }>, progress };
};

const invalidate = (...extra: string[]) =>
  run(['invalidate', '--site', 'web', '--paths', '/index.html', '--yes', ...extra]);

afterEach(() => {
  process.exitCode = undefined;
});

describe('shipyard invalidate --wait', () => {
  it('blocks until every invalidation is Completed, with progress, on the simulated clock', async () => {
    // Prepare: invalidations take 2 minutes
    await seedDistributions(local());
    await local().control.setDurations({ invalidationMs: 120_000 });
    const before = (await local().control.clock()).now;
    // Act
    const { result, progress } = await invalidate('--wait=600', '--poll-seconds', '30');
    // Assess
    expect(result.wait).toMatchObject({ fresh: true, seconds: 120 });
    expect(progress).toEqual([
      'waiting up to 600 s for the edge to be fresh…',
      `  ${WEB_DIST}: 0/1 invalidation(s) completed (0 s)`,
      `  ${WEB_DIST_2}: 0/1 invalidation(s) completed (0 s)`,
      `  ${WEB_DIST}: 1/1 invalidation(s) completed (120 s)`,
      `  ${WEB_DIST_2}: 1/1 invalidation(s) completed (120 s)`,
    ]);
    expect((await local().control.clock()).now - before).toBe(120_000);
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('ends at the time box and exits 0: a stale edge does not fail the deploy unless asked', async () => {
    // Prepare
    await seedDistributions(local());
    await local().control.setDurations({ invalidationMs: 3_600_000 });
    // Act
    const { result } = await invalidate('--wait', '--poll-seconds', '60');
    // Assess: --wait alone is 900 s
    expect(result.wait).toMatchObject({ fresh: false, seconds: 900 });
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('exits 1 on the time box with --fail-on-timeout', async () => {
    // Prepare
    await seedDistributions(local());
    await local().control.setDurations({ invalidationMs: 3_600_000 });
    // Act
    const { result } = await invalidate('--wait=45', '--poll-seconds', '30', '--fail-on-timeout');
    // Assess
    expect(result.wait).toMatchObject({ fresh: false, seconds: 45 });
    expect(process.exitCode).toBe(1);
  });

  it.each([
    ['--wait=abc', /--wait \[seconds\].*'abc' is invalid.*expected a whole number from 1 to 3600/],
    ['--wait=0', /'0' is invalid.*expected a whole number from 1 to 3600/],
    ['--wait=3601', /'3601' is invalid.*expected a whole number from 1 to 3600/],
    ['--fail-on-timeout', /--fail-on-timeout needs --wait/],
  ])('refuses %s with a message naming the flag', async (flag, message) => {
    await seedDistributions(local());
    await expect(invalidate(flag)).rejects.toThrow(message);
  });
});

describe('shipyard notify-deploy --wait', () => {
  it("waits for the invalidations the deploy-event function submits, found by the deploy's CallerReference", async () => {
    // Prepare: the function behind the Deployment Completed rule, as the stack wires it
    await seedDistributions(local());
    await local().control.setDurations({ invalidationMs: 120_000 });
    const deps = await makeDeps(local());
    const fn = registerLocalFunction(local().cloud, {
      name: 'shipyard-test-invalidate-deploy-event',
      region: 'us-east-1',
      timeoutSeconds: 120,
      handler: makeDeployEventHandler({ ...deps, sites: deps.sites }) as (event: unknown) => Promise<unknown>,
    });
    const events = new EventBridgeClient(clientConfig(local().url));
    await events.send(
      new PutRuleCommand({
        Name: 'deployments',
        EventPattern: JSON.stringify({ source: ['shipyard'], 'detail-type': ['Deployment Completed'] }),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: 'deployments', Targets: [{ Id: 'fn', Arn: fn.arn }] }));
    const repo = makeRepo();
    // Act
    const { result, progress } = await run([
      'notify-deploy',
      '--site',
      'web',
      '--from',
      'HEAD~1',
      '--to',
      'HEAD',
      '--repo-dir',
      repo,
      '--wait=900',
      '--poll-seconds',
      '30',
    ]);
    // Assess: the function submits at once or by the next look; each completes 120 s later
    expect(result.wait?.fresh).toBe(true);
    expect([120, 150]).toContain(result.wait?.seconds);
    expect(progress.at(-1)).toMatch(/: 1\/1 invalidation\(s\) completed \((120|150) s\)$/);
  });
});
