import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeHandler as makeDeployEventHandler } from '../../../functions/invalidate-deploy-event/handler.ts';
import { makeHandler as makeS3Handler } from '../../../functions/invalidate-s3-events/handler.ts';
import { createLogger } from '../../../shared/logging/logger.ts';
import { createInvalidationCalls, deployEvent, makeDeps, s3Message, seedDistributions } from './harness.ts';

const local = useLocalCloud();

const prepare = async () => {
  await seedDistributions(local());
  return makeDeps(local());
};

/** A logger at INFO whose JSON lines are captured from stdout and stderr. */
const capturedLogger = () => {
  const lines: Record<string, unknown>[] = [];
  // Powertools writes WARN and ERROR lines through console.warn / console.error (stderr).
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    });
  const logger = createLogger('observability-test');
  logger.setLogLevel('INFO');
  return { logger, lines };
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('invalidation metrics', () => {
  it('records paths billed, batches and deferrals of each change set and flushes once per invocation', async () => {
    // Prepare
    const deps = await prepare();
    const handler = makeS3Handler(deps);
    // Act
    await handler({
      Records: [s3Message('w', 'web-bucket', 'site/a.html'), s3Message('d', 'docs-bucket', 'b.html')],
    });
    // Assess: web has two distributions (2 paths, 2 batches), docs one.
    expect(deps.metrics.flushes).toBe(1);
    const totals = new Map<string, number>();
    for (const { name, value, dimensions } of deps.metrics.recorded) {
      expect(dimensions).toEqual({});
      totals.set(name, (totals.get(name) ?? 0) + value);
    }
    expect(Object.fromEntries(totals)).toEqual({
      InvalidationPathsBilled: 3,
      InvalidationBatches: 3,
      InvalidationDeferrals: 0,
    });
  });

  it('counts a failed invalidation and still flushes when the handler throws', async () => {
    // Prepare
    const deps = await prepare();
    await local().control.addFaults([
      { service: 'cloudfront', action: 'CreateInvalidation', code: 'AccessDenied', status: 403, firstN: 1 },
    ]);
    // Act
    const outcome = makeDeployEventHandler(deps)(
      deployEvent({ site: 'docs', deployId: 'd1', paths: ['/a.html'] }),
    );
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'SubmissionFailedError' });
    expect(deps.metrics.flushes).toBe(1);
    expect(deps.metrics.recorded.filter((p) => p.name === 'InvalidationFailures')).toEqual([
      { name: 'InvalidationFailures', unit: 'Count', value: 1, dimensions: {} },
    ]);
  });

  it('does not count a malformed deploy event as an invalidation failure', async () => {
    const deps = await prepare();
    await expect(makeDeployEventHandler(deps)({ detail: {} })).rejects.toThrow();
    expect(deps.metrics.recorded).toEqual([]);
    expect(deps.metrics.flushes).toBe(1);
  });
});

describe('deploy correlation in logs', () => {
  it('tags every line of a change set with its deploy id and site, and starts each invocation clean', async () => {
    // Prepare
    const deps = await prepare();
    const { logger, lines } = capturedLogger();
    const handler = makeDeployEventHandler({ ...deps, logger });
    // Act
    await handler(deployEvent({ site: 'docs', deployId: 'sha-1', paths: ['/a.html'] }));
    const firstCount = lines.length;
    await handler(deployEvent({ site: 'web', deployId: 'sha-2', paths: ['/b.html'] }));
    // Assess
    const first = lines.slice(0, firstCount);
    const second = lines.slice(firstCount);
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    for (const line of first)
      expect(line).toMatchObject({ correlation_id: 'sha-1', deployId: 'sha-1', site: 'docs' });
    for (const line of second)
      expect(line).toMatchObject({ correlation_id: 'sha-2', deployId: 'sha-2', site: 'web' });
  });
});

describe('S3 events for objects no site claims', () => {
  it('are acknowledged, never invalidated, and reported at warn level and in the response', async () => {
    // Prepare: web-bucket is claimed under site/ only; nobody names unknown-bucket.
    const deps = await prepare();
    const { logger, lines } = capturedLogger();
    const handler = makeS3Handler({ ...deps, logger });
    // Act
    const response = await handler({
      Records: [
        s3Message('u1', 'unknown-bucket', 'site/a.html'),
        s3Message('u2', 'web-bucket', 'logs/access.log'),
      ],
    });
    // Assess
    expect(await createInvalidationCalls(local())).toBe(0);
    expect(response).toEqual({
      batchItemFailures: [],
      unclaimed: {
        count: 2,
        sample: [
          { bucket: 'unknown-bucket', key: 'site/a.html' },
          { bucket: 'web-bucket', key: 'logs/access.log' },
        ],
      },
    });
    const warnings = lines.filter((l) => l.level === 'WARN');
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'S3 events for objects no site claims: not invalidated',
        count: 2,
        messageIds: ['u1', 'u2'],
      }),
    ]);
  });
});

describe('changed keys CloudFront cannot take', () => {
  it('are left out of the invalidation, listed in the summary with the reason and logged at warn level', async () => {
    // Prepare
    const deps = await prepare();
    const { logger, lines } = capturedLogger();
    const handler = makeDeployEventHandler({ ...deps, logger });
    // Act
    const summary = await handler(
      deployEvent({
        site: 'docs',
        deployId: 'bad-keys',
        changes: [
          { path: 'ok.html', status: 'M' },
          { path: 'a/../secret.html', status: 'M' },
          { path: 'nul\u0000.html', status: 'A' },
        ],
      }),
    );
    // Assess
    expect(summary.ignoredKeys).toEqual([
      { key: 'a/../secret.html', reason: expect.stringContaining("no '..' path segment") },
      { key: 'nul\u0000.html', reason: expect.stringContaining('no control characters (found U+0000)') },
    ]);
    expect(summary.distributions.map((d) => d.batches.map((b) => b.paths))).toEqual([[['/ok.html']]]);
    expect(await createInvalidationCalls(local())).toBe(1);
    const warnings = lines.filter((l) => l.level === 'WARN');
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'changed keys not invalidated',
        count: 2,
        sample: summary.ignoredKeys,
      }),
    ]);
  });
});
