/**
 * Immutable Cache-Control over the local cloud: the S3 adapter reads each added object's
 * Cache-Control with HeadObject (S3 API reference, HeadObject: CacheControl), and a deploy that
 * adds `max-age=31536000, immutable` objects (RFC 8246) invalidates only the rest, while a
 * changed immutable object is still invalidated.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { createS3ObjectMetadata } from '../../../shared/aws/s3-object-metadata.ts';
import { SiteSchema } from '../../../shared/config/sites.ts';
import { submitChangeSet } from '../../../shared/invalidation-service/submit.ts';
import { invalidationsOf, makeDeps, seedDistributions, WEB_DIST } from './harness.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const web = SiteSchema.parse({
  name: 'web',
  bucket: 'web-bucket',
  keyPrefix: 'site/',
  distributionIds: [WEB_DIST],
  invalidation: { inventory: 'never', immutableCacheControl: 'read' },
});

describe('added objects with an immutable Cache-Control', () => {
  it('need no invalidation when added; a modified one, or one without the header, still does', async () => {
    // Prepare
    await seedDistributions(local());
    await local().control.seed({ s3: { buckets: [{ name: 'web-bucket' }] } });
    const s3 = new S3Client({ ...clientConfig(local().url), forcePathStyle: true });
    const put = (key: string, cacheControl?: string) =>
      s3.send(
        new PutObjectCommand({ Bucket: 'web-bucket', Key: key, Body: 'x', CacheControl: cacheControl }),
      );
    await put('site/logo.png', 'public, max-age=31536000, immutable');
    await put('site/app.js', 'public, max-age=31536000, immutable');
    await put('site/news.html', 'max-age=300');
    const deps = await makeDeps(local());
    // Act
    const summary = await submitChangeSet(
      {
        site: 'web',
        deployId: 'd-immutable',
        source: 's3',
        changes: [
          { key: 'site/logo.png', change: 'added' },
          { key: 'site/app.js', change: 'modified' },
          { key: 'site/news.html', change: 'added' },
        ],
        paths: [],
      },
      web,
      { cloudFront: deps.cloudFront, objectMetadata: createS3ObjectMetadata({ client: s3 }) },
    );
    // Assess
    const [invalidation] = await invalidationsOf(local(), WEB_DIST);
    expect(invalidation?.paths.map((p) => p.path).sort()).toEqual(['/app.js', '/news.html']);
    expect(summary.pathsBilled).toBe(2);
  });
});
