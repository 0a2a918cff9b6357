/**
 * Writes and deletes site objects (the local rehearsal's "deploy tool"). Shipyard itself never
 * writes to a site bucket; this exists so a rehearsal can publish a release the way any
 * deploy tool would, which is what fires the bucket's S3 events.
 */
import { DeleteObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { toAwsCallError } from './errors.ts';

export interface S3ObjectsPort {
  put(bucket: string, key: string, body: string | Uint8Array, contentType?: string): Promise<void>;
  delete(bucket: string, key: string): Promise<void>;
}

export function createS3ObjectsPort(
  config: S3ClientConfig = {},
  client = new S3Client(config),
): S3ObjectsPort {
  return {
    async put(bucket, key, body, contentType) {
      try {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
        );
      } catch (error) {
        throw toAwsCallError('S3', 'PutObject', error);
      }
    },
    async delete(bucket, key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        throw toAwsCallError('S3', 'DeleteObject', error);
      }
    },
  };
}
