import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register as registerInvalidate } from '../../../cli/commands/invalidate.ts';
import { register as registerNotify } from '../../../cli/commands/notify-deploy.ts';
import type { Output } from '../../../cli/output.ts';
import { makeHandler as makeDeployEventHandler } from '../../../functions/invalidate-deploy-event/handler.ts';
import {
  createInvalidationCalls,
  invalidationsOf,
  makeDeps,
  seedDistributions,
  WEB_DIST,
  WEB_DIST_2,
} from './harness.ts';

const local = useLocalCloud();

interface EventsDump {
  events: { regions: Record<string, { source: string; detailType: string; detail: unknown }[]> };
}

const CONFIG = `
sites:
  - name: web
    bucket: web-bucket
    keyPrefix: site/
    distributionIds: [${WEB_DIST}, ${WEB_DIST_2}]
    repo: { fullName: acme/web, branch: main, pathPrefix: public/ }
`;

/** A repository with two commits: the second edits, renames and adds files under public/. */
const makeRepo = () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipyard-cli-'));
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'CI');
  mkdirSync(join(dir, 'public', 'docs'), { recursive: true });
  writeFileSync(join(dir, 'public', 'index.html'), 'v1');
  writeFileSync(join(dir, 'public', 'old name.html'), 'same');
  writeFileSync(join(dir, 'README.md'), 'readme');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  writeFileSync(join(dir, 'public', 'index.html'), 'v2');
  renameSync(join(dir, 'public', 'old name.html'), join(dir, 'public', 'docs', 'new.html'));
  writeFileSync(join(dir, 'README.md'), 'readme v2');
  git('add', '-A');
  git('commit', '-q', '-m', 'two');
  const configFile = join(dir, 'shipyard.yml');
  writeFileSync(configFile, CONFIG);
  return { dir, configFile, head: git('rev-parse', 'HEAD').trim() };
};

/** The commands under test on a program with the CLI's global options; output captured. */
const run = async (args: string[]) => {
  const out: string[] = [];
  const output: Output = { json: true, result: (data) => out.push(JSON.stringify(data)), progress: () => {} };
  const program = new Command('shipyard')
    .option('--endpoint <url>')
    .option('--config <file>')
    .option('--region <region>')
    .option('--json')
    .exitOverride();
  registerInvalidate(program, output);
  registerNotify(program, output);
  await program.parseAsync([...args, '--endpoint', local().url, '--json'], { from: 'user' });
  return JSON.parse(out.join(''));
};

describe('shipyard invalidate / notify-deploy', () => {
  it('plans a git range without writing anything in a dry run', async () => {
    // Prepare
    await seedDistributions(local());
    const repo = makeRepo();
    // Act
    const result = await run([
      'invalidate',
      '--site',
      'web',
      '--changed',
      'HEAD~1..HEAD',
      '--repo-dir',
      repo.dir,
      '--config',
      repo.configFile,
      '--dry-run',
    ]);
    // Assess
    expect(result.submitted).toBe(false);
    expect(result.plan.distributions[0].batches).toEqual([
      expect.objectContaining({
        status: 'dry-run',
        paths: ['/', '/docs/new.html', '/index.html', '/old%20name.html'],
      }),
    ]);
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('submits with --yes on every distribution, with the commit as deploy id', async () => {
    await seedDistributions(local());
    const repo = makeRepo();
    const result = await run([
      'invalidate',
      '--site',
      'web',
      '--changed',
      'HEAD~1..HEAD',
      '--repo-dir',
      repo.dir,
      '--config',
      repo.configFile,
      '--yes',
    ]);
    expect(result.summary).toMatchObject({ deployId: repo.head, pathsBilled: 8 });
    expect(await invalidationsOf(local(), WEB_DIST)).toHaveLength(1);
    expect(await invalidationsOf(local(), WEB_DIST_2)).toHaveLength(1);
  });

  it('submits explicit paths, encoded exactly once', async () => {
    await seedDistributions(local());
    const repo = makeRepo();
    await run([
      'invalidate',
      '--site',
      'web',
      '--paths',
      '/a b.html',
      '/docs/*',
      '--config',
      repo.configFile,
      '--yes',
    ]);
    const [invalidation] = await invalidationsOf(local(), WEB_DIST);
    expect(invalidation?.paths.map((p) => p.path)).toEqual(['/a%20b.html', '/docs/*']);
  });

  it('refuses an unknown site and an ambiguous request with a one-line error', async () => {
    const repo = makeRepo();
    await expect(
      run(['invalidate', '--site', 'shop', '--paths', '/a', '--config', repo.configFile]),
    ).rejects.toThrow('unknown site "shop": the config declares "web"');
    await expect(
      run(['invalidate', '--site', 'web', '--paths', '/a', '--changed', 'a..b', '--config', repo.configFile]),
    ).rejects.toThrow('give exactly one of --paths or --changed');
  });

  it('builds the Deployment Completed event from git, renames as delete + add, outside files dropped', async () => {
    const repo = makeRepo();
    const result = await run([
      'notify-deploy',
      '--site',
      'web',
      '--from',
      'HEAD~1',
      '--to',
      'HEAD',
      '--repo-dir',
      repo.dir,
      '--config',
      repo.configFile,
      '--dry-run',
    ]);
    expect(result).toEqual({
      published: false,
      event: {
        source: 'shipyard',
        detailType: 'Deployment Completed',
        detail: {
          site: 'web',
          deployId: repo.head,
          changes: [
            { path: 'docs/new.html', status: 'A' },
            { path: 'index.html', status: 'M' },
            { path: 'old name.html', status: 'D' },
          ],
        },
      },
    });
  });

  it('takes a CI-scoped deploy id so that deploying the same commit again in a new run is a new deploy', async () => {
    const repo = makeRepo();
    const notify = (deployId: string) =>
      run([
        'notify-deploy',
        '--site',
        'web',
        '--from',
        'HEAD~1',
        '--to',
        'HEAD',
        '--repo-dir',
        repo.dir,
        '--config',
        repo.configFile,
        '--deploy-id',
        deployId,
        '--dry-run',
      ]);
    const first = (await notify(`${repo.head}@1001`)) as { event: { detail: { deployId: string } } };
    const again = (await notify(`${repo.head}@1002`)) as { event: { detail: { deployId: string } } };
    expect(first.event.detail.deployId).toBe(`${repo.head}@1001`);
    expect(again.event.detail.deployId).toBe(`${repo.head}@1002`);
  });

  it('publishes the event that the deploy-event function then turns into invalidations (rehearsal)', async () => {
    // Prepare
    await seedDistributions(local());
    const repo = makeRepo();
    const deps = await makeDeps(local());
    // Act
    const result = await run([
      'notify-deploy',
      '--site',
      'web',
      '--from',
      'HEAD~1',
      '--to',
      'HEAD',
      '--repo-dir',
      repo.dir,
      '--config',
      repo.configFile,
    ]);
    const state = await local().control.state<EventsDump>();
    const [published] = state.events.regions['us-east-1'] ?? [];
    const summary = await makeDeployEventHandler(deps)({
      source: published?.source,
      'detail-type': published?.detailType,
      detail: published?.detail,
    });
    // Assess
    expect(result).toMatchObject({ published: true, site: 'web', deployId: repo.head, changes: 3 });
    expect(summary.distributions.map((d) => d.batches.map((b) => b.paths))).toEqual([
      [['/', '/docs/new.html', '/index.html', '/old%20name.html']],
      [['/', '/docs/new.html', '/index.html', '/old%20name.html']],
    ]);
  });

  it('rejects a revision that looks like a git option', async () => {
    const repo = makeRepo();
    await expect(
      run([
        'notify-deploy',
        '--site',
        'web',
        '--from',
        '--output=/tmp/x',
        '--to',
        'HEAD',
        '--repo-dir',
        repo.dir,
        '--config',
        repo.configFile,
        '--dry-run',
      ]),
    ).rejects.toThrow('--from: "--output=/tmp/x" is not a git revision');
  });
});
