import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RehearsalSummary } from '../../cli/rehearsal/report.ts';

const run = promisify(execFile);

/**
 * `npm start` is the main job: it runs here exactly as a user runs it (through npm, so on the
 * project's Node 22), and its summary is checked. Eight nights are enough for rotation to
 * delete in the copy regions (keepLast 3 and 2).
 */
describe('npm start (the rehearsal)', () => {
  it('deploys the packaged service locally, invalidates two releases and backs up nightly with rotation', async () => {
    // Act
    const { stdout } = await run('npm', ['start', '--silent', '--', '--json', '--nights', '8'], {
      // No wall-clock bound: the rehearsal reports a night NOT_FINISHED (and fails) when its
      // execution makes no progress, whatever the machine's speed.
      maxBuffer: 64 * 1024 * 1024,
    });
    const summary = JSON.parse(stdout) as RehearsalSummary;
    // Assess: releases through both triggers reached every distribution of their site
    expect(summary.ok).toBe(true);
    const byDistribution = new Map(summary.invalidations.map((i) => [i.distribution, i]));
    expect([...byDistribution.keys()].sort()).toEqual(['E1SHIPYARDDEMO', 'E2SHIPYARDDOCS', 'E3SHIPYARDDOCS']);
    // web (origin path /site): the changed blog index under all its URL forms — exact or by the
    // narrow wildcard the site's path cap prefers (`/blog*`) — never `/*`
    const web = byDistribution.get('E1SHIPYARDDEMO')?.sample ?? [];
    const covered = (url: string) =>
      web.some((path) => path === url || (path.endsWith('*') && url.startsWith(path.slice(0, -1))));
    for (const url of ['/', '/blog', '/blog/', '/blog/index.html']) expect(covered(url), url).toBe(true);
    expect(web).not.toContain('/*');
    // docs: the regenerated API reference collapses into one wildcard
    expect(byDistribution.get('E2SHIPYARDDOCS')?.sample).toContain('/api/v1/type-*');
    expect(summary.pathsBilled).toBe(summary.invalidations.reduce((n, i) => n + i.paths, 0));
    // the deployed ledger bucket: every deploy's bill against the month's free tier (1,000 paths)
    expect(summary.budgets.map((b) => b.site).sort()).toEqual(['docs', 'web']);
    expect(Math.max(...summary.budgets.map((b) => b.monthToDatePaths ?? 0))).toBe(summary.pathsBilled);
    for (const b of summary.budgets) expect(b.freeTierLeft, b.site).toBe(1000 - (b.monthToDatePaths ?? 0));
    // the completion watch: one Invalidation Completed per distribution
    expect(summary.fresh.map((f) => f.distributionId).sort()).toEqual([
      'E1SHIPYARDDEMO',
      'E2SHIPYARDDOCS',
      'E3SHIPYARDDOCS',
    ]);
    // every night succeeded and made an AMI per target in each of the 3 regions
    expect(summary.nights).toHaveLength(8);
    for (const night of summary.nights) {
      expect(night.status, night.execution).toBe('SUCCEEDED');
      expect(night.images, night.execution).toBe(9);
    }
    // rotation: copy regions keep exactly keepLast per target (3 targets)
    expect(summary.amisPerRegion['us-west-1']?.available).toBe(9);
    expect(summary.amisPerRegion['eu-west-1']?.available).toBe(6);
    expect(summary.rotation.find((r) => r.region === 'eu-west-1')?.deleted).toBeGreaterThan(0);
    // kept counts backups: each AMI with its snapshots is one (3 targets × keepLast 2)
    expect(summary.rotation.find((r) => r.region === 'eu-west-1')?.keptBackups).toBe(6);
    // restore tests: the newest backup of each of the 3 targets in both verify regions passed its
    // status checks in the local cloud (seconds on its simulated clock), each a distinct AMI
    expect(summary.verifications).toHaveLength(6);
    for (const v of summary.verifications) {
      expect(v.status, `${v.target} ${v.region}`).toBe('passed');
      expect(v.secondsToPass, v.imageId).toBeGreaterThan(0);
    }
    expect(new Set(summary.verifications.map((v) => v.imageId)).size).toBe(6);
    expect(new Set(summary.verifications.map((v) => v.region))).toEqual(new Set(['ap-south-1', 'us-west-1']));
    // the drill dialled California up in steps behind its alarm and put the seed's dials back
    expect(summary.drill.steps).toEqual(
      [10, 50, 100].map((dial) => ({ region: 'us-west-1', dial, passed: true })),
    );
    expect(summary.drill.restored).toBe(true);
    expect(summary.drill.dialsAfter).toEqual([
      { region: 'ap-south-1', dial: 100 },
      { region: 'us-west-1', dial: 0 },
    ]);
    // nothing Shipyard did not create was touched
    expect(summary.untouched).toEqual({ unmanagedSnapshotPresent: true, unselectedInstanceSnapshots: 0 });
  });
});
