import { HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { ObjectMetadataPort } from '../invalidation-service/immutable-adds.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

const status = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

export interface S3ObjectMetadataOptions {
  config?: S3ClientConfig;
  client?: S3Client;
}

/**
 * HeadObject's CacheControl (S3 API reference, HeadObject: the `Cache-Control` stored with the
 * object). A key gone since the event (404) has no header: it is invalidated like any other.
 */
export function createS3ObjectMetadata({
  config = {},
  client,
}: S3ObjectMetadataOptions = {}): ObjectMetadataPort {
  const s3 = client ?? new S3Client(config);
  return {
    async cacheControl(bucket, key) {
      try {
        return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).CacheControl;
      } catch (error) {
        if (sdkErrorCode(error) === 'NotFound' || status(error) === 404) return undefined;
        throw toAwsCallError('S3', 'HeadObject', error);
      }
    },
  };
}
