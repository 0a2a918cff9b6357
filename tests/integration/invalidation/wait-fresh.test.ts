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
import { S3Client } from '@aws-sdk/client-s3';
import { registerLocalFunction } from '@shipyard/local-cloud';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { register as registerInvalidate } from '../../../cli/commands/invalidate.ts';
import { register as registerNotify } from '../../../cli/commands/notify-deploy.ts';
import type { Output } from '../../../cli/output.ts';
import { makeHandler as makeDeferredHandler } from '../../../functions/invalidate-deferred/handler.ts';
import { makeHandler as makeDeployEventHandler } from '../../../functions/invalidate-deploy-event/handler.ts';
import { createS3PathLedger } from '../../../shared/aws/s3-ledger.ts';
import type { PathBudgetPorts } from '../../../shared/invalidation-service/budget-plan.ts';
import type { InvalidationDeps } from '../../../shared/invalidation-service/runtime.ts';
import type { FreshWait } from '../../../shared/invalidation-service/wait-fresh.ts';
import { makeDeps, receiveAll, seedDistributions, WEB_DIST, WEB_DIST_2 } from './harness.ts';

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
  return { result: results[0] as Record<string, FreshWait>, progress };
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

/** The function behind the Deployment Completed rule, as the stack wires it. */
const wireDeployEvents = async (deps: InvalidationDeps) => {
  const fn = registerLocalFunction(local().cloud, {
    name: 'shipyard-test-invalidate-deploy-event',
    region: 'us-east-1',
    timeoutSeconds: 120,
    handler: makeDeployEventHandler(deps) as (event: unknown) => Promise<unknown>,
  });
  const events = new EventBridgeClient(clientConfig(local().url));
  await events.send(
    new PutRuleCommand({
      Name: 'deployments',
      EventPattern: JSON.stringify({ source: ['shipyard'], 'detail-type': ['Deployment Completed'] }),
    }),
  );
  await events.send(new PutTargetsCommand({ Rule: 'deployments', Targets: [{ Id: 'fn', Arn: fn.arn }] }));
};

const notify = (repo: string, ...extra: string[]) =>
  run(['notify-deploy', '--site', 'web', '--from', 'HEAD~1', '--to', 'HEAD', '--repo-dir', repo, ...extra]);

const LEDGER_BUCKET = 'shipyard-ledger';

/** The deploy-event function pacing against the stack's ledger bucket, on the local cloud's clock. */
const pacedDeps = async () => {
  await local().control.seed({ s3: { buckets: [{ name: LEDGER_BUCKET }] } });
  const deps = await makeDeps(local());
  const pathBudget: PathBudgetPorts = {
    ledger: createS3PathLedger({ bucket: LEDGER_BUCKET, client: new S3Client(clientConfig(local().url)) }),
    accountCap: 1000,
    distributionIds: [WEB_DIST, WEB_DIST_2],
    history: deps.cloudFront,
    now: () => local().cloud.now(),
  };
  return { ...deps, pathBudget };
};

describe('shipyard notify-deploy --wait', () => {
  it("waits for the invalidations the deploy-event function submits, found by the deploy's CallerReference", async () => {
    // Prepare: the function behind the Deployment Completed rule, as the stack wires it
    await seedDistributions(local());
    await local().control.setDurations({ invalidationMs: 120_000 });
    const deps = await makeDeps(local());
    await wireDeployEvents({ ...deps, sites: deps.sites });
    const repo = makeRepo();
    // Act
    const { result, progress } = await notify(repo, '--wait=900', '--poll-seconds', '30');
    // Assess: the function submits at once or by the next look; each completes 120 s later
    expect(result.wait?.fresh).toBe(true);
    expect([120, 150]).toContain(result.wait?.seconds);
    expect(progress.at(-1)).toMatch(/: 1\/1 invalidation\(s\) completed \((120|150) s\)$/);
  });

  it('counts the batches deferred by the in-flight limit as not fresh until they are submitted, then finds a pinned deploy id by id after 10 minutes', async () => {
    // Prepare: CloudFront answers TooManyInvalidationsInProgress to the first CreateInvalidation
    // (CloudFront API reference, CreateInvalidation errors: "You have exceeded the maximum number
    // of allowable InProgress invalidation batch requests"), so WEB_DIST's batch goes to the
    // deferred queue while WEB_DIST_2's is submitted.
    await seedDistributions(local());
    await local().control.setDurations({ invalidationMs: 120_000 });
    const deps = await pacedDeps();
    await wireDeployEvents(deps);
    await local().control.addFaults([
      {
        service: 'cloudfront',
        action: 'CreateInvalidation',
        code: 'TooManyInvalidationsInProgress',
        firstN: 1,
      },
    ]);
    const repo = makeRepo();
    const pinned = ['--deploy-id', 'v2@run-7', '--ledger-bucket', LEDGER_BUCKET, '--poll-seconds', '30'];
    // Act: nobody runs the deferred queue during the first wait
    const first = await notify(repo, '--wait=300', ...pinned);
    // Assess: WEB_DIST_2 fresh, WEB_DIST's batch queued: not fresh at the time box
    expect(first.result.wait).toMatchObject({
      fresh: false,
      seconds: 300,
      distributions: [
        { distributionId: WEB_DIST, completed: [], inProgress: [], queued: 1 },
        { distributionId: WEB_DIST_2, completed: [expect.any(String)], inProgress: [], queued: 0 },
      ],
    });
    // (the function runs at once or by the next look)
    expect(first.progress).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^  ${WEB_DIST}: 0/0 invalidation\\(s\\) completed, 1 batch\\(es\\) queued \\(deferred, not submitted yet\\) \\((0|30) s\\)$`,
        ),
      ),
    );
    expect(process.exitCode ?? 0).toBe(0);
    // Act: the deferred queue submits the batch; 15 minutes later the CI job is re-run (same pinned
    // id): the function sends the same CallerReferences and CloudFront "returns information about
    // the invalidation request that you previously created with the same CallerReference"
    // (CloudFront API reference, InvalidationBatch.CallerReference), whose id the ledger records.
    const [message] = await receiveAll(deps.sqs, deps.queueUrl);
    await makeDeferredHandler(deps)({ Records: [{ messageId: 'd1', body: message?.Body ?? '' }] });
    await local().control.advance({ ms: 15 * 60_000 });
    const second = await notify(repo, '--wait=300', ...pinned);
    // Assess: both invalidations are older than the 10-minute listing and still found, by id
    expect(second.result.wait?.fresh).toBe(true);
    expect([0, 30]).toContain(second.result.wait?.seconds);
    expect(second.result.wait).toMatchObject({
      distributions: [
        { distributionId: WEB_DIST, completed: [expect.any(String)], queued: 0 },
        { distributionId: WEB_DIST_2, completed: first.result.wait?.distributions[1]?.completed },
      ],
    });
  });

  it('names a pinned deploy id of which no invalidation exists, exit 1', async () => {
    // Prepare: no function behind the rule, so nothing is ever submitted for the deploy
    await seedDistributions(local());
    await local().control.seed({ s3: { buckets: [{ name: LEDGER_BUCKET }] } });
    const repo = makeRepo();
    // Act
    const waiting = notify(repo, '--wait=60', '--deploy-id', 'ghost-1', '--ledger-bucket', LEDGER_BUCKET);
    // Assess
    await expect(waiting).rejects.toThrow(
      new RegExp(
        `^--deploy-id ghost-1: no invalidation of this deploy on ${WEB_DIST}, ${WEB_DIST_2} after 60 s \\(none in the path ledger ${LEDGER_BUCKET} this month or the last, none created since `,
      ),
    );
    await expect(waiting).rejects.toMatchObject({ exitCode: 1 });
  });

  it('without the ledger, finding nothing of a pinned deploy id proves nothing: a stale edge, exit 0', async () => {
    // Prepare: its invalidations may be older than the listing (a re-run), so no error
    await seedDistributions(local());
    const repo = makeRepo();
    // Act
    const { result, progress } = await notify(repo, '--wait=60', '--deploy-id', 'ghost-2');
    // Assess
    expect(result.wait).toMatchObject({ fresh: false, seconds: 60 });
    expect(progress[0]).toMatch(/^without --ledger-bucket the wait sees only invalidations created since /);
    expect(process.exitCode ?? 0).toBe(0);
  });
});
