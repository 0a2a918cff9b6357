import { S3Client } from '@aws-sdk/client-s3';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/invalidate-s3-events/handler.ts';
import { createS3InventoryAdapter } from '../../../shared/aws/s3-inventory.ts';
import {
  invalidationsOf,
  makeDeps,
  pathsBilled,
  s3Message,
  seedDistributions,
  WEB_DIST,
  WEB_DIST_2,
} from './harness.ts';

const local = useLocalCloud();

/** site/docs/ holds 12 pages; the rest of the site is elsewhere. */
const DOCS = [...'abcdefghijkl'].map((letter) => `site/docs/${letter}.html`);
const OTHERS = [
  'site/index.html',
  'site/blog/a.html',
  'site/blog/b.html',
  'site/docs-old/x.html',
  'outside/y.html',
];

const listCalls = async () =>
  (await local().control.counters()).calls
    .filter((c) => c.service === 's3' && c.action === 'ListObjectsV2')
    .reduce((n, c) => n + c.count, 0);

const prepare = async () => {
  await seedDistributions(local());
  await local().control.seed({
    s3: {
      buckets: [{ name: 'web-bucket', objects: [...DOCS, ...OTHERS].map((key) => ({ key, body: key })) }],
    },
  });
  const deps = await makeDeps(local());
  return { deps, handler: makeHandler(deps) };
};

const rewriteOfDocs = () => ({
  Records: DOCS.map((key, i) => s3Message(`m${i}`, 'web-bucket', key)),
});

describe('inventory-aware planning (S3 listing of the site bucket)', () => {
  it('invalidates a fully rewritten directory with one wildcard and an exact needless count of 0', async () => {
    // Prepare
    const { handler, deps } = await prepare();
    const summaries: unknown[] = [];
    deps.logger.info = (message: string, ...extra: Record<string, unknown>[]) => {
      if (message === 'invalidation summary') summaries.push(extra[0]?.summary);
    };
    // Act
    const response = await handler(rewriteOfDocs());
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await listCalls()).toBe(1);
    for (const id of [WEB_DIST, WEB_DIST_2]) {
      const invalidations = await invalidationsOf(local(), id);
      expect(invalidations.map((i) => i.paths.map((p) => p.path))).toEqual([['/docs/*']]);
    }
    expect(summaries).toEqual([
      expect.objectContaining({
        inventoryKeys: DOCS.length + OTHERS.length - 1,
        pathsBilled: 2,
        distributions: [
          expect.objectContaining({ id: WEB_DIST, needlessObjects: 0 }),
          expect.objectContaining({ id: WEB_DIST_2, needlessObjects: 0 }),
        ],
      }),
    ]);
  });

  it('keeps exact paths for a small change and does not list the bucket for it', async () => {
    // Prepare
    const { handler } = await prepare();
    // Act
    await handler({
      Records: [s3Message('m1', 'web-bucket', DOCS[0] ?? ''), s3Message('m2', 'web-bucket', DOCS[1] ?? '')],
    });
    // Assess
    expect(await listCalls()).toBe(0);
    const [invalidation] = await invalidationsOf(local(), WEB_DIST);
    expect(invalidation?.paths.map((p) => p.path).sort()).toEqual(['/docs/a.html', '/docs/b.html']);
  });

  it('plans the same wildcard on redelivery, so nothing is billed twice', async () => {
    // Prepare
    const { handler } = await prepare();
    await handler(rewriteOfDocs());
    const billedOnce = await pathsBilled(local());
    // Act
    const again = await handler(rewriteOfDocs());
    await local().control.advance({ minutes: 10 });
    const afterCompletion = await handler(rewriteOfDocs());
    // Assess
    expect(again.batchItemFailures).toEqual([]);
    expect(afterCompletion.batchItemFailures).toEqual([]);
    expect(billedOnce).toBe(2);
    expect(await pathsBilled(local())).toBe(2);
    expect(await invalidationsOf(local(), WEB_DIST)).toHaveLength(1);
  });

  it('falls back to the estimate when the bucket cannot be listed, and still invalidates every URL', async () => {
    // Prepare: no bucket seeded at all
    await seedDistributions(local());
    const deps = await makeDeps(local());
    // Act
    const response = await makeHandler(deps)(rewriteOfDocs());
    // Assess: without an inventory a 12-path directory is not worth a wildcard at 1,000 assumed objects
    expect(response.batchItemFailures).toEqual([]);
    const [invalidation] = await invalidationsOf(local(), WEB_DIST);
    expect(invalidation?.paths.map((p) => p.path)).toHaveLength(DOCS.length);
  });
});

describe('S3 inventory adapter', () => {
  const adapter = () =>
    createS3InventoryAdapter({ client: new S3Client({ ...clientConfig(local().url), maxAttempts: 1 }) });
  const seedKeys = (count: number) =>
    local().control.seed({
      s3: {
        buckets: [
          {
            name: 'big-bucket',
            objects: [
              ...Array.from({ length: count }, (_, i) => ({
                key: `site/k${String(i).padStart(5, '0')}`,
                body: '',
              })),
              { key: 'elsewhere/z', body: '' },
            ],
          },
        ],
      },
    });

  it('pages through ListObjectsV2 and returns every key under the prefix, in order', async () => {
    await seedKeys(2_345);
    const keys = await adapter().listSiteKeys('big-bucket', 'site/');
    expect(keys).toHaveLength(2_345);
    expect(keys?.[0]).toBe('site/k00000');
    expect(keys?.at(-1)).toBe('site/k02344');
    expect(await listCalls()).toBe(3);
  });

  it('stops and returns undefined beyond the cap', async () => {
    await seedKeys(2_345);
    expect(await adapter().listSiteKeys('big-bucket', 'site/', { maxKeys: 1_500 })).toBeUndefined();
    expect(await listCalls()).toBe(2);
  });

  it('lists the whole bucket for an empty prefix', async () => {
    await seedKeys(3);
    expect(await adapter().listSiteKeys('big-bucket', '')).toEqual([
      'elsewhere/z',
      'site/k00000',
      'site/k00001',
      'site/k00002',
    ]);
  });

  it('turns a missing bucket into an AwsCallError with the S3 code', async () => {
    await expect(adapter().listSiteKeys('no-such-bucket', '')).rejects.toMatchObject({
      name: 'AwsCallError',
      code: 'NoSuchBucket',
    });
  });
});
