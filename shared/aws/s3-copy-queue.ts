/**
 * The CopyQueue port over S3: one JSON object per queued copy in the results bucket,
 * `waits/<region>/copy-queue/<key>.json` (private, encrypted, lifecycle-expired). The queue's
 * order is the keys' order: ListObjectsV2 returns keys "in ascending order of the respective
 * key names" (Amazon S3 API Reference, ListObjectsV2, Contents), and an entry's LastModified
 * is its last write — when it was queued, or its token's last heartbeat.
 */
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { COPY_QUEUE_KEY_PATTERN } from '../backup/copy-queue.ts';
import type { CopyQueue, QueuedCopy, QueueEntryRef } from '../backup-service/ports/copy-queue.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';
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

/** The region's sweep marker, beside its queue (not in it): its LastModified is the last sweep. */
const sweepKey = (region: string): string => `${queuePrefix(region).slice(0, -1)}.swept`;

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
    async delete(region, key) {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: entryKey(region, key) }));
      } catch (error) {
        throw toAwsCallError('S3', 'DeleteObject', error);
      }
    },
    async claimSweep(region, now, everyMs) {
      const Key = sweepKey(region);
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key }));
        if (now.getTime() - (head.LastModified?.getTime() ?? 0) < everyMs) return false;
      } catch (error) {
        const code = sdkErrorCode(error);
        if (code !== 'NotFound' && code !== 'NoSuchKey') throw toAwsCallError('S3', 'HeadObject', error);
      }
      try {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: '', ContentType: 'text/plain' }));
      } catch (error) {
        throw toAwsCallError('S3', 'PutObject', error);
      }
      return true;
    },
  };
}
