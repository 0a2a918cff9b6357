/**
 * The CopyQueue port over S3: one JSON object per queued copy in the results bucket,
 * `waits/<region>/copy-queue/<key>.json` (private, encrypted, lifecycle-expired). The queue's
 * order is the keys' order: ListObjectsV2 returns keys "in ascending order of the respective
 * key names" (Amazon S3 API Reference, ListObjectsV2, Contents), and an entry's LastModified
 * is its last write — when it was queued, or its token's last heartbeat. One drain at a time per
 * region: the lease `waits/<region>/copy-queue.lease` is taken with `If-None-Match: *` (one
 * writer wins) and taken over when stale with `If-Match: <its ETag>` (one taker wins) (Amazon
 * S3 API Reference, PutObject, IfNoneMatch / IfMatch), renewed and released with `If-Match`
 * too (S3 User Guide, "How to perform conditional deletes"); a drain wanted meanwhile writes
 * `copy-queue.requested`, which the holder deletes as a round begins and looks for once it lets go.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { COPY_QUEUE_KEY_PATTERN } from '../backup/copy-queue.ts';
import type { CopyQueue, QueuedCopy, QueueEntryRef } from '../backup-service/ports/copy-queue.ts';
import { lostConditionalWrite, sdkErrorCode, toAwsCallError } from './errors.ts';
import { putJsonObject, readJsonObject } from './s3-json-objects.ts';

const queuedCopySchema = z
  .object({ token: z.string().min(1), input: z.unknown(), queuedAt: z.string() })
  .strict();

/** ListObjectsV2's page size (API Reference: at most 1,000 keys per response). */
const PAGE = 1_000;

/** `waits/<region>/copy-queue/`; the region is checked so no input can reach another prefix. */
const queuePrefix = (region: string): string => {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`not a region: ${region}`);
  return `waits/${region}/copy-queue/`;
};

/** A key as copyQueueKey makes them (shared/backup/copy-queue.ts): no slash, no dot-dot. */
const entryKey = (region: string, key: string): string => {
  if (!COPY_QUEUE_KEY_PATTERN.test(key)) throw new Error(`not a copy queue key: ${key}`);
  return `${queuePrefix(region)}${key}.json`;
};

/** A marker of the region's queue, beside it (not in it): `copy-queue.<what>`. */
const markerKey = (region: string, what: 'swept' | 'lease' | 'requested'): string =>
  `${queuePrefix(region).slice(0, -1)}.${what}`;

const notFound = (error: unknown): boolean => sdkErrorCode(error) === 'NoSuchKey';

/**
 * The marker's LastModified (epoch ms) and ETag, or undefined when there is none. Read by
 * listing its key, not HeadObject: a HEAD of a missing key answers 403, not 404, without
 * s3:ListBucket (Amazon S3 API Reference, HeadObject), and the role's ListBucket is granted only
 * for listings under `waits/` (serverless/backup-events.cjs), which a HEAD is not.
 */
async function readMarker(s3: S3Client, bucket: string, Key: string) {
  let page: ListObjectsV2CommandOutput;
  try {
    page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: Key, MaxKeys: 1 }));
  } catch (error) {
    throw toAwsCallError('S3', 'ListObjectsV2', error);
  }
  const found = page.Contents?.find((object) => object.Key === Key);
  return found === undefined
    ? undefined
    : { modifiedAt: found.LastModified?.getTime() ?? 0, etag: found.ETag };
}

async function deleteObject(s3: S3Client, bucket: string, Key: string): Promise<void> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  } catch (error) {
    throw toAwsCallError('S3', 'DeleteObject', error);
  }
}

/**
 * A marker write: its ETag, or undefined when its condition lost to another writer. The body is
 * unique so that each write has its own ETag, which `If-Match` takes over from.
 */
async function putMarker(
  s3: S3Client,
  bucket: string,
  Key: string,
  condition: { IfNoneMatch: '*' } | { IfMatch: string } | Record<string, never> = {},
): Promise<string | undefined> {
  try {
    const written = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key,
        Body: randomUUID(),
        ContentType: 'text/plain',
        ...condition,
      }),
    );
    return written.ETag ?? '';
  } catch (error) {
    if (lostConditionalWrite(error)) return undefined;
    throw toAwsCallError('S3', 'PutObject', error);
  }
}

export interface S3CopyQueueOptions {
  bucket: string;
  config?: S3ClientConfig;
  client?: S3Client;
}

/** The region's entries in key order, at most `max`, page by page. */
async function listEntries(
  s3: S3Client,
  bucket: string,
  region: string,
  max: number,
): Promise<QueueEntryRef[]> {
  const prefix = queuePrefix(region);
  const refs: QueueEntryRef[] = [];
  let token: string | undefined;
  do {
    let page: ListObjectsV2CommandOutput;
    try {
      page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          MaxKeys: Math.min(PAGE, max - refs.length),
          ContinuationToken: token,
        }),
      );
    } catch (error) {
      throw toAwsCallError('S3', 'ListObjectsV2', error);
    }
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? '';
      if (!key.endsWith('.json')) continue;
      refs.push({
        key: key.slice(prefix.length, -'.json'.length),
        touchedAt: object.LastModified?.getTime() ?? 0,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined && refs.length < max);
  return refs;
}

export function createS3CopyQueue({ bucket, config = {}, client }: S3CopyQueueOptions): CopyQueue {
  const s3 = client ?? new S3Client(config);
  return {
    put: (region, key, entry) => putJsonObject(s3, bucket, entryKey(region, key), entry),
    list: (region, max) => listEntries(s3, bucket, region, max),
    // Not an entry this code wrote: nothing to start (its Task's heartbeat round ends it).
    get: async (region, key) =>
      (await readJsonObject(s3, bucket, entryKey(region, key), queuedCopySchema)) as QueuedCopy | undefined,
    delete: (region, key) => deleteObject(s3, bucket, entryKey(region, key)),
    async claimSweep(region, now, everyMs) {
      const Key = markerKey(region, 'swept');
      const last = await readMarker(s3, bucket, Key);
      if (last !== undefined && now.getTime() - last.modifiedAt < everyMs) return false;
      return (await putMarker(s3, bucket, Key)) !== undefined;
    },
    async takeDrainLease(region, now, staleMs) {
      const Key = markerKey(region, 'lease');
      const taken = await putMarker(s3, bucket, Key, { IfNoneMatch: '*' });
      if (taken !== undefined) return taken;
      const held = await readMarker(s3, bucket, Key);
      // Released between the two requests: the first writer now wins it.
      if (held === undefined) return putMarker(s3, bucket, Key, { IfNoneMatch: '*' });
      if (now.getTime() - held.modifiedAt < staleMs || held.etag === undefined) return undefined;
      return putMarker(s3, bucket, Key, { IfMatch: held.etag });
    },
    renewDrainLease: (region, lease) => putMarker(s3, bucket, markerKey(region, 'lease'), { IfMatch: lease }),
    // Only while still the holder's (If-Match): a lease taken over is the new holder's.
    async releaseDrainLease(region, lease) {
      try {
        await s3.send(
          new DeleteObjectCommand({ Bucket: bucket, Key: markerKey(region, 'lease'), IfMatch: lease }),
        );
      } catch (error) {
        if (lostConditionalWrite(error) || notFound(error)) return;
        throw toAwsCallError('S3', 'DeleteObject', error);
      }
    },
    async requestDrain(region) {
      await putMarker(s3, bucket, markerKey(region, 'requested'));
    },
    clearDrainRequest: (region) => deleteObject(s3, bucket, markerKey(region, 'requested')),
    drainRequested: async (region) =>
      (await readMarker(s3, bucket, markerKey(region, 'requested'))) !== undefined,
  };
}
