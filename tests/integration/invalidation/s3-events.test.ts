import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/invalidate-s3-events/handler.ts';
import {
  createInvalidationCalls,
  DOCS_DIST,
  invalidationsOf,
  makeDeps,
  pathsBilled,
  receiveAll,
  s3Message,
  seedDistributions,
  WEB_DIST,
  WEB_DIST_2,
} from './harness.ts';

const local = useLocalCloud();

const prepare = async () => {
  await seedDistributions(local());
  const deps = await makeDeps(local());
  return { deps, handler: makeHandler(deps) };
};

describe('invalidate-s3-events (SQS batch of S3 notifications)', () => {
  it('invalidates every URL form of the uploaded objects on every distribution of the site', async () => {
    // Prepare
    const { handler } = await prepare();
    const event = {
      Records: [
        s3Message('m1', 'web-bucket', 'site/docs/index.html'),
        s3Message('m2', 'web-bucket', 'site/my+file%C3%A9.css'),
      ],
    };
    // Act
    const response = await handler(event);
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    for (const id of [WEB_DIST, WEB_DIST_2]) {
      const [invalidation, ...more] = await invalidationsOf(local(), id);
      expect(more).toEqual([]);
      expect(invalidation?.paths.map((p) => p.path).sort()).toEqual(
        ['/docs', '/docs/', '/docs/index.html', '/my%20file%C3%A9.css'].sort(),
      );
      expect(invalidation?.callerReference).toMatch(new RegExp(`^shipyard:${id}:s3-[0-9a-f]{24}:0:`));
    }
    expect(await pathsBilled(local())).toBe(8);
    expect(await invalidationsOf(local(), DOCS_DIST)).toEqual([]);
  });

  it('never bills a redelivered batch twice', async () => {
    // Prepare
    const { handler } = await prepare();
    const event = { Records: [s3Message('m1', 'docs-bucket', 'guide/a.html')] };
    await handler(event);
    const billedOnce = await pathsBilled(local());
    // Act
    const again = await handler(event);
    await local().control.advance({ minutes: 10 });
    const afterCompletion = await handler(event);
    // Assess
    expect(again.batchItemFailures).toEqual([]);
    expect(afterCompletion.batchItemFailures).toEqual([]);
    expect(billedOnce).toBe(1);
    expect(await pathsBilled(local())).toBe(1);
    expect(await invalidationsOf(local(), DOCS_DIST)).toHaveLength(1);
  });

  it('never bills an S3 event that S3 delivered twice, in another SQS message of a later batch', async () => {
    // Prepare
    const { handler } = await prepare();
    await handler({ Records: [s3Message('m1', 'docs-bucket', 'guide/a.html')] });
    await local().control.advance({ minutes: 10 });
    // Act: the same object event (same sequencer) under another message id
    const duplicate = await handler({ Records: [s3Message('m2', 'docs-bucket', 'guide/a.html')] });
    // Assess
    expect(duplicate.batchItemFailures).toEqual([]);
    expect(await pathsBilled(local())).toBe(1);
    expect(await invalidationsOf(local(), DOCS_DIST)).toHaveLength(1);
  });

  it('reports malformed messages as batch item failures and still invalidates the good ones', async () => {
    // Prepare
    const { handler } = await prepare();
    const bad = { ...s3Message('bad', 'docs-bucket', 'x'), body: '{"Records": "nope"}' };
    const badKey = s3Message('bad-key', 'docs-bucket', 'guide/100%.html');
    // Act
    const response = await handler({
      Records: [bad, badKey, s3Message('ok', 'docs-bucket', 'guide/b.html')],
    });
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }, { itemIdentifier: 'bad-key' }]);
    expect((await invalidationsOf(local(), DOCS_DIST)).map((i) => i.paths.map((p) => p.path))).toEqual([
      ['/guide/b.html'],
    ]);
  });

  it('creates no invalidation at all for a batch of only malformed messages', async () => {
    const { handler } = await prepare();
    const response = await handler({
      Records: [{ ...s3Message('bad', 'docs-bucket', 'x'), body: 'not json' }],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(await createInvalidationCalls(local())).toBe(0);
    expect(await pathsBilled(local())).toBe(0);
  });

  it('rejects an event that is not an SQS batch with a clear error', async () => {
    const { handler } = await prepare();
    await expect(handler({ detail: {} })).rejects.toThrow(
      'malformed s3 event: Records: Invalid input: expected array, received undefined',
    );
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('acknowledges the s3:TestEvent without invalidating anything', async () => {
    const { handler } = await prepare();
    const test = {
      ...s3Message('t', 'web-bucket', 'x'),
      body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent' }),
    };
    expect(await handler({ Records: [test] })).toEqual({ batchItemFailures: [] });
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('rides out Throttling on CreateInvalidation through the SDK retries', async () => {
    // Prepare
    const { handler } = await prepare();
    await local().control.addFaults([
      { service: 'cloudfront', action: 'CreateInvalidation', code: 'Throttling', firstN: 2 },
    ]);
    // Act
    const response = await handler({ Records: [s3Message('m1', 'docs-bucket', 'a.html')] });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await invalidationsOf(local(), DOCS_DIST)).toHaveLength(1);
    expect(await createInvalidationCalls(local())).toBe(3);
  });

  it('fails only the messages of a site whose submission failed, for redelivery', async () => {
    // Prepare
    const { handler } = await prepare();
    await local().control.addFaults([
      { service: 'cloudfront', action: 'CreateInvalidation', code: 'AccessDenied', status: 403, firstN: 1 },
    ]);
    // Act
    const response = await handler({
      Records: [
        s3Message('docs-msg', 'docs-bucket', 'a.html'),
        s3Message('web-msg', 'web-bucket', 'site/b.html'),
      ],
    });
    // Assess: the first CreateInvalidation (docs) failed; web went through on both distributions.
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'docs-msg' }]);
    expect(await invalidationsOf(local(), DOCS_DIST)).toEqual([]);
    expect(await invalidationsOf(local(), WEB_DIST)).toHaveLength(1);
    expect(await invalidationsOf(local(), WEB_DIST_2)).toHaveLength(1);
  });

  it('defers on TooManyInvalidationsInProgress: a delayed message on the deferred queue, nothing billed', async () => {
    // Prepare
    const { handler, deps } = await prepare();
    await local().control.addFaults([
      {
        service: 'cloudfront',
        action: 'CreateInvalidation',
        code: 'TooManyInvalidationsInProgress',
        firstN: 1,
      },
    ]);
    // Act
    const response = await handler({ Records: [s3Message('m1', 'docs-bucket', 'a.html')] });
    const visibleAtOnce = await receiveAll(deps.sqs, deps.queueUrl);
    await local().control.advance({ ms: 61_000 });
    const [deferred] = await receiveAll(deps.sqs, deps.queueUrl);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(visibleAtOnce).toEqual([]);
    expect(JSON.parse(deferred?.Body ?? '{}')).toMatchObject({
      kind: 'shipyard.deferred-invalidation',
      site: 'docs',
      distributionId: DOCS_DIST,
      attempt: 1,
      batches: [{ batchIndex: 0, paths: ['/a.html'] }],
    });
    expect(await pathsBilled(local())).toBe(0);
  });
});
