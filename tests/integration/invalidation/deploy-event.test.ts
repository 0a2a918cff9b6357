import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it, vi } from 'vitest';
import { makeHandler as makeDeferredHandler } from '../../../functions/invalidate-deferred/handler.ts';
import { makeHandler } from '../../../functions/invalidate-deploy-event/handler.ts';
import { createCloudFrontAdapter } from '../../../shared/aws/cloudfront.ts';
import {
  createInvalidationCalls,
  DOCS_DIST,
  deployEvent,
  invalidationsOf,
  makeDeps,
  pathsBilled,
  receiveAll,
  seedDistributions,
  WEB_DIST,
  WEB_DIST_2,
} from './harness.ts';

const local = useLocalCloud();

/** Fills the distribution's in-flight wildcard allowance with someone else's invalidation. */
const fillWildcards = async (cloud: RunningLocalCloud, distributionId: string) => {
  const cloudFront = new CloudFrontClient(clientConfig(cloud.url));
  const items = Array.from({ length: 15 }, (_, i) => `/other${i}/*`);
  await cloudFront.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: { CallerReference: 'someone-else', Paths: { Quantity: items.length, Items: items } },
    }),
  );
};

const prepare = async () => {
  await seedDistributions(local());
  const deps = await makeDeps(local());
  return { deps, handler: makeHandler(deps), deferred: makeDeferredHandler(deps) };
};

describe('invalidate-deploy-event (EventBridge)', () => {
  it('invalidates the changed files of a CI deploy on every distribution and summarises it', async () => {
    // Prepare
    const { handler } = await prepare();
    const sha = '9fceb02d0ae598e95dc970b74767f19372d61af8';
    // Act
    const summary = await handler(
      deployEvent({ site: 'web', deployId: sha, changes: [{ path: 'index.html', status: 'M' }] }),
    );
    // Assess
    expect(summary).toMatchObject({ site: 'web', deployId: sha, source: 'eventbridge', pathsBilled: 4 });
    expect(summary.distributions.map((d) => [d.id, d.batches.map((b) => [b.status, b.paths])])).toEqual([
      [WEB_DIST, [['created', ['/', '/index.html']]]],
      [WEB_DIST_2, [['created', ['/', '/index.html']]]],
    ]);
    expect(await pathsBilled(local())).toBe(4);
  });

  it('returns the existing invalidations for a redelivered event and bills nothing more', async () => {
    // Prepare
    const { handler } = await prepare();
    const event = deployEvent({ site: 'docs', deployId: 'abc123', paths: ['/guide/*', '/index.html'] });
    const first = await handler(event);
    // Act
    const second = await handler(event);
    // Assess
    expect(first.pathsBilled).toBe(2);
    expect(second.pathsBilled).toBe(0);
    expect(second.distributions[0]?.batches).toEqual([
      expect.objectContaining({
        status: 'existing',
        invalidationId: first.distributions[0]?.batches[0]?.invalidationId,
      }),
    ]);
    expect(await pathsBilled(local())).toBe(2);
  });

  it('throws a clear error for a malformed event and creates nothing', async () => {
    const { handler } = await prepare();
    await expect(
      handler(deployEvent({ site: 'web', deployId: '', changes: [{ path: 'a.html', status: 'R' }] })),
    ).rejects.toThrow(
      'malformed eventbridge event: detail.deployId: Too small: expected string to have >=1 characters; detail.changes[0].status: Invalid option: expected one of "A"|"M"|"D"',
    );
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('defers what does not fit next to in-flight invalidations, and the deferred queue submits it later', async () => {
    // Prepare
    const { handler, deferred, deps } = await prepare();
    await fillWildcards(local(), DOCS_DIST);
    const callsBefore = await createInvalidationCalls(local());
    // Act
    const summary = await handler(deployEvent({ site: 'docs', deployId: 'rel-42', paths: ['/docs/*'] }));
    await local().control.advance({ ms: 61_000 });
    const [message] = await receiveAll(deps.sqs, deps.queueUrl);
    const early = await deferred({ Records: [{ messageId: 'd1', body: message?.Body ?? '' }] });
    await local().control.advance({ minutes: 3 });
    const [again] = await receiveAll(deps.sqs, deps.queueUrl);
    const late = await deferred({ Records: [{ messageId: 'd2', body: again?.Body ?? '' }] });
    // Assess
    expect(summary.distributions[0]).toMatchObject({
      deferrals: 1,
      batches: [{ status: 'deferred', paths: ['/docs/*'] }],
    });
    expect(await createInvalidationCalls(local())).toBe(callsBefore + 1);
    expect(early.batchItemFailures).toEqual([]);
    expect(JSON.parse(again?.Body ?? '{}')).toMatchObject({
      attempt: 2,
      batches: [{ batchIndex: 0, paths: ['/docs/*'] }],
    });
    expect(late.batchItemFailures).toEqual([]);
    const mine = (await invalidationsOf(local(), DOCS_DIST)).filter((i) =>
      i.callerReference.includes('rel-42'),
    );
    expect(mine.map((i) => i.paths.map((p) => p.path))).toEqual([['/docs/*']]);
  });

  it('splits a deploy over 3,000 file paths into batches and defers the one that does not fit', async () => {
    // Prepare
    const { handler, deps } = await prepare();
    const paths = Array.from({ length: 3_500 }, (_, i) => `/files/f${i}.html`);
    // Act
    const summary = await handler(deployEvent({ site: 'docs', deployId: 'big-1', paths }));
    await local().control.advance({ ms: 61_000 });
    const [message] = await receiveAll(deps.sqs, deps.queueUrl);
    // Assess
    expect(summary.distributions[0]?.batches.map((b) => [b.batchIndex, b.status, b.paths.length])).toEqual([
      [0, 'created', 3_000],
      [1, 'deferred', 500],
    ]);
    expect(summary.pathsBilled).toBe(3_000);
    expect(
      JSON.parse(message?.Body ?? '{}').batches.map((b: { batchIndex: number }) => b.batchIndex),
    ).toEqual([1]);
  });

  it('splits more than 15 wildcards into batches that each fit, and the deferred queue submits the rest', async () => {
    // Prepare: 20 explicit wildcards, nothing else in flight
    const { handler, deferred, deps } = await prepare();
    const paths = Array.from({ length: 20 }, (_, i) => `/section${String(i).padStart(2, '0')}/*`);
    // Act
    const summary = await handler(deployEvent({ site: 'docs', deployId: 'wide-1', paths }));
    await local().control.advance({ minutes: 10 });
    const [message] = await receiveAll(deps.sqs, deps.queueUrl);
    const resumed = await deferred({ Records: [{ messageId: 'd1', body: message?.Body ?? '' }] });
    // Assess: 15 now, 5 once the first batch completed; every path billed once
    expect(summary.distributions[0]?.batches.map((b) => [b.batchIndex, b.status, b.paths.length])).toEqual([
      [0, 'created', 15],
      [1, 'deferred', 5],
    ]);
    expect(resumed.batchItemFailures).toEqual([]);
    const mine = (await invalidationsOf(local(), DOCS_DIST)).flatMap((i) => i.paths.map((p) => p.path));
    expect(mine.sort()).toEqual(paths);
    expect(await pathsBilled(local())).toBe(20);
  });

  it('fails a deferred batch that could never fit (over 15 wildcards) with a named error, submitting nothing', async () => {
    // Prepare: a hand-made deferred message holding one batch of 16 wildcards
    const { deferred, deps } = await prepare();
    const logged = vi.spyOn(deps.logger, 'error');
    const body = JSON.stringify({
      kind: 'shipyard.deferred-invalidation',
      version: 1,
      site: 'docs',
      deployId: 'forged',
      distributionId: DOCS_DIST,
      attempt: 1,
      batches: [{ batchIndex: 0, paths: Array.from({ length: 16 }, (_, i) => `/w${i}/*`) }],
    });
    // Act
    const response = await deferred({ Records: [{ messageId: 'm1', body }] });
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(logged).toHaveBeenCalledWith('deferred invalidation failed', {
      messageId: 'm1',
      error: expect.objectContaining({ name: 'BatchNeverFitsError' }),
    });
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('fails a malformed deferred message into the DLQ path (batch item failure)', async () => {
    const { deferred } = await prepare();
    const response = await deferred({
      Records: [{ messageId: 'x', body: JSON.stringify({ kind: 'other' }) }],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'x' }]);
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('waits, bounded, for completion when the site asks for it', async () => {
    // Prepare
    await seedDistributions(local());
    const deps = await makeDeps(local());
    let simulated = 0;
    deps.cloudFront = createCloudFrontAdapter({
      client: new CloudFrontClient(clientConfig(local().url)),
      pollIntervalMs: 30_000,
      now: () => simulated,
      // Sleeping moves the local cloud's clock instead of the test's.
      sleep: async (ms) => {
        simulated += ms;
        await local().control.advance({ ms });
      },
    });
    deps.sites = deps.sites.map((s) => ({
      ...s,
      invalidation: { ...s.invalidation, waitForCompletionSeconds: 300 },
    }));
    const handler = makeHandler(deps);
    // Act
    const completed = await handler(deployEvent({ site: 'docs', deployId: 'w1', paths: ['/a.html'] }));
    await local().control.setDurations({ invalidationMs: 3_600_000 });
    const timedOut = await handler(deployEvent({ site: 'docs', deployId: 'w2', paths: ['/b.html'] }));
    // Assess
    expect(completed.distributions[0]?.completed).toBe(true);
    expect(timedOut.distributions[0]?.completed).toBe(false);
  });
});
