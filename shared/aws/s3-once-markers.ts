/**
 * Once-markers in S3 (the ledger bucket, under `invalidation-events/`): `claim` writes the marker
 * with `If-None-Match: *`, which S3 accepts for exactly one writer of a key and answers others with
 * 412 PreconditionFailed, or 409 ConditionalRequestConflict while a conflicting write is in flight
 * (S3 User Guide, "How to prevent object overwrites with conditional writes",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html). The bucket is not
 * versioned, so `release` (DeleteObject) frees the key for the next claim.
 */
import { DeleteObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { OnceMarkers } from '../invalidation-service/freshness.ts';
import { lostConditionalWrite, toAwsCallError } from './errors.ts';

/** The key prefix of the markers (the IAM statements grant exactly this prefix). */
const ONCE_MARKER_PREFIX = 'invalidation-events/';

export interface S3OnceMarkersOptions {
  bucket: string;
  config?: S3ClientConfig;
  client?: S3Client;
  now?: () => number;
}

export function createS3OnceMarkers({
  bucket,
  config = {},
  client,
  now = Date.now,
}: S3OnceMarkersOptions): OnceMarkers {
  const s3 = client ?? new S3Client(config);
  return {
    async claim(key) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `${ONCE_MARKER_PREFIX}${key}`,
            Body: JSON.stringify({ claimedAt: new Date(now()).toISOString() }),
            ContentType: 'application/json',
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (error) {
        if (lostConditionalWrite(error)) return false;
        throw toAwsCallError('S3', 'PutObject', error);
      }
    },
    async release(key) {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${ONCE_MARKER_PREFIX}${key}` }));
      } catch (error) {
        throw toAwsCallError('S3', 'DeleteObject', error);
      }
    },
  };
}
