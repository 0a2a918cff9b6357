import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler as makeDeployEventHandler } from '../../../functions/invalidate-deploy-event/handler.ts';
import { DOCS_DIST, makeDeps, seedDistributions } from '../invalidation/harness.ts';
import { isOneLine, runCli, writeConfig } from './harness.ts';

const local = useLocalCloud();

const CONFIG = `
sites:
  - name: web
    bucket: web-bucket
    keyPrefix: site/
    distributionIds: [E2QWRUHAPOMQZL]
    repo: { fullName: acme/web, branch: main, pathPrefix: public/ }
  - name: docs
    bucket: docs-bucket
    distributionIds: [${DOCS_DIST}]
    broadPaths: [/docs/*]
`;

const ZERO_SHA = '0000000000000000000000000000000000000000';

/** A repository with one commit under public/. */
const makeRepo = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'shipyard-notify-'));
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'CI');
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'public', 'index.html'), 'v1');
  git('add', '.');
  git('commit', '-q', '-m', 'one');
  return dir;
};

const putEventsCalls = async (): Promise<number> =>
  (await local().control.counters()).calls
    .filter((c) => c.service === 'events' && c.action === 'PutEvents')
    .reduce((n, c) => n + c.count, 0);

const notify = (repo: string, extra: string[], site = 'web') =>
  runCli([
    'notify-deploy',
    '--site',
    site,
    '--to',
    'HEAD',
    '--repo-dir',
    repo,
    '--config',
    writeConfig(CONFIG),
    '--endpoint',
    local().url,
    ...extra,
  ]);

describe('shipyard notify-deploy: the event is checked with the function’s schema', () => {
  it.each([
    ['an empty deploy id', ''],
    ['a deploy id over 256 characters', 'a'.repeat(257)],
  ])('refuses %s with one line naming the field, exit 2, nothing published', async (_what, deployId) => {
    // Prepare
    const repo = makeRepo();
    // Act
    const result = await notify(repo, ['--from', 'HEAD', '--deploy-id', deployId]);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^shipyard: the deploy event would be rejected: detail\.deployId: /);
    expect(isOneLine(result.stderr)).toBe(true);
    expect(result.stdout).toBe('');
    expect(await putEventsCalls()).toBe(0);
  });

  it('publishes a first push (zero --from) without changes, so the function invalidates the site’s broad paths', async () => {
    // Prepare
    await seedDistributions(local());
    const deps = await makeDeps(local());
    const repo = makeRepo();
    // Act
    const result = await notify(repo, ['--from', ZERO_SHA, '--json'], 'docs');
    const state = await local().control.state<{
      events: { regions: Record<string, { source: string; detailType: string; detail: unknown }[]> };
    }>();
    const [published] = state.events.regions['us-east-1'] ?? [];
    const summary = await makeDeployEventHandler(deps)({
      source: published?.source,
      'detail-type': published?.detailType,
      detail: published?.detail,
    });
    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      published: true,
      changes: 0,
      broad: 'branch created: no previous commit to compare with',
    });
    expect(published?.detail).toEqual({ site: 'docs', deployId: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(await putEventsCalls()).toBe(1);
    expect(summary.distributions.map((d) => d.batches.map((b) => b.paths))).toEqual([[['/docs/*']]]);
  });
});
