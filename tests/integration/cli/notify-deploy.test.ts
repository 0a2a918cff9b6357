import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLocalCloud } from '../../helpers/local-cloud.ts';
import { isOneLine, runCli, writeConfig } from './harness.ts';

const local = useLocalCloud();

const CONFIG = `
sites:
  - name: web
    bucket: web-bucket
    keyPrefix: site/
    distributionIds: [E2QWRUHAPOMQZL]
    repo: { fullName: acme/web, branch: main, pathPrefix: public/ }
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

const notify = (repo: string, extra: string[]) =>
  runCli([
    'notify-deploy',
    '--site',
    'web',
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

  it('publishes a first push (zero --from) without changes, so the site’s broad paths are invalidated', async () => {
    // Prepare
    const repo = makeRepo();
    // Act
    const result = await notify(repo, ['--from', ZERO_SHA, '--json']);
    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      published: true,
      changes: 0,
      broad: 'branch created: no previous commit to compare with',
    });
    const state = await local().control.state<{
      events: { regions: Record<string, { detail: Record<string, unknown> }[]> };
    }>();
    const [published] = state.events.regions['us-east-1'] ?? [];
    expect(published?.detail).toEqual({ site: 'web', deployId: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(await putEventsCalls()).toBe(1);
  });
});
