/**
 * One drill per accelerator (the DrillLock port): `drill-locks/<accelerator id>.json`
 * created with `If-None-Match: *` (S3 answers 412 PreconditionFailed when it exists; PutObject
 * API reference, IfNoneMatch). An expired lock is taken over with `If-Match: <ETag>` so two
 * drills racing for it cannot both win (S3 conditional writes, "How to prevent object
 * overwrites with conditional writes").
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import type { DrillLock } from '../backup-service/ports/drill.ts';
import { httpStatus, sdkErrorCode, toAwsCallError } from './errors.ts';

const lockSchema = z
  .object({
    owner: z.string(),
    expiresAt: z.iso.datetime({ offset: true }),
    recorded: z.unknown().optional(),
  })
  .strict();
const keyOf = (key: string) => `drill-locks/${key}.json`;
const isPreconditionFailed = (error: unknown) =>
  sdkErrorCode(error) === 'PreconditionFailed' || httpStatus(error) === 412;

export function createS3DrillLock(options: {
  bucket: string;
  now: () => Date;
  config?: S3ClientConfig;
  client?: S3Client;
}): DrillLock {
  const s3 = options.client ?? new S3Client(options.config ?? {});
  const Bucket = options.bucket;
  async function current(Key: string) {
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      const parsed = lockSchema.safeParse(JSON.parse((await got.Body?.transformToString()) ?? ''));
      return { etag: got.ETag, lock: parsed.success ? parsed.data : undefined };
    } catch (error) {
      if (sdkErrorCode(error) === 'NoSuchKey') return undefined;
      throw toAwsCallError('S3', 'GetObject', error);
    }
  }
  return {
    async holder(key) {
      return (await current(keyOf(key)))?.lock;
    },
    async acquire(key, owner, expiresAt, recorded) {
      const Key = keyOf(key);
      const Body = JSON.stringify({ owner, expiresAt, ...(recorded === undefined ? {} : { recorded }) });
      try {
        await s3.send(
          new PutObjectCommand({ Bucket, Key, Body, ContentType: 'application/json', IfNoneMatch: '*' }),
        );
        return { acquired: true };
      } catch (error) {
        if (!isPreconditionFailed(error)) throw toAwsCallError('S3', 'PutObject', error);
      }
      const held = await current(Key);
      const expired = held?.lock === undefined || Date.parse(held.lock.expiresAt) <= options.now().getTime();
      if (!expired) return { acquired: false, holder: `${held?.lock?.owner} until ${held?.lock?.expiresAt}` };
      try {
        await s3.send(
          new PutObjectCommand({ Bucket, Key, Body, ContentType: 'application/json', IfMatch: held?.etag }),
        );
        return { acquired: true };
      } catch (error) {
        if (isPreconditionFailed(error))
          return { acquired: false, holder: 'another drill (took the expired lock first)' };
        throw toAwsCallError('S3', 'PutObject', error);
      }
    },
    async release(key, owner) {
      const Key = keyOf(key);
      const held = await current(Key);
      if (held?.lock?.owner !== owner) return;
      try {
        await s3.send(new DeleteObjectCommand({ Bucket, Key }));
      } catch (error) {
        throw toAwsCallError('S3', 'DeleteObject', error);
      }
    },
  };
}
