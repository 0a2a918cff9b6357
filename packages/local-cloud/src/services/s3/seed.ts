import * as z from 'zod';
import type { LocalCloud } from '../../cloud.ts';
import { bucketNameProblem } from './bucket-name.ts';
import { addBucket, LEGACY_REGION } from './buckets.ts';
import { dumpNotifications } from './notifications.ts';
import { storeObject } from './objects.ts';
import { s3Store } from './store.ts';

const ObjectSeedSchema = z
  .object({
    key: z.string().min(1, 'object key must not be empty'),
    body: z.string().optional().describe('UTF-8 text; empty when absent'),
    contentType: z.string().min(1).optional(),
  })
  .strict();

const BucketSeedSchema = z
  .object({
    name: z.string().superRefine((name, ctx) => {
      const problem = bucketNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: `bucket name ${name} ${problem}` });
    }),
    region: z.string().min(1).optional(),
    objects: z.array(ObjectSeedSchema).optional(),
  })
  .strict();

const S3SeedSchema = z.object({ buckets: z.array(BucketSeedSchema) }).strict();

/**
 * Creates buckets (or adds to existing ones) and their objects. Seeded objects are setup,
 * not uploads: they emit no ObjectCreated event.
 */
export const seedS3 = (cloud: LocalCloud, input: unknown) => {
  const seed = S3SeedSchema.parse(input);
  const store = s3Store(cloud);
  return {
    buckets: seed.buckets.map((b) => {
      const existing = store.buckets.get(b.name);
      if (existing && b.region !== undefined && existing.region !== b.region) {
        // RangeError is what the control API reports as a 400.
        throw new RangeError(`bucket ${b.name} already exists in ${existing.region}, not ${b.region}`);
      }
      const bucket = existing ?? addBucket(cloud, b.name, b.region ?? LEGACY_REGION);
      for (const o of b.objects ?? []) {
        storeObject(cloud, bucket, o.key, Buffer.from(o.body ?? '', 'utf8'), { contentType: o.contentType });
      }
      return { name: bucket.name, region: bucket.region, objects: bucket.objects.size };
    }),
  };
};

/** Buckets with their objects (no bodies), the object events (oldest first) and notification configurations. */
export const dumpS3 = (cloud: LocalCloud) => {
  const store = s3Store(cloud);
  return {
    buckets: [...store.buckets.values()].map((b) => ({
      name: b.name,
      region: b.region,
      objects: [...b.objects.values()].map((o) => ({
        key: o.key,
        size: o.body.length,
        eTag: o.etag,
        contentType: o.contentType,
        lastModified: new Date(o.lastModified).toISOString(),
      })),
    })),
    events: store.events,
    notifications: dumpNotifications(cloud),
  };
};
