/**
 * The RunFiles port over S3: JSON objects in the results bucket. A missing object
 * (NoSuchKey) or one that is not JSON is RunFileUnreadable, named with its s3:// address.
 */
import { GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { RunFileUnreadable } from '../backup/errors.ts';
import type { ObjectLocation, RunFiles } from '../backup-service/run-files.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

export interface S3RunFilesOptions {
  bucket: string;
  config?: S3ClientConfig;
  client?: S3Client;
}

const address = (l: ObjectLocation) => `s3://${l.bucket}/${l.key}`;

export function createS3RunFiles({ bucket, config = {}, client }: S3RunFilesOptions): RunFiles {
  const s3 = client ?? new S3Client(config);
  return {
    bucket: () => bucket,
    async putJson(key, body) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: JSON.stringify(body),
            ContentType: 'application/json',
          }),
        );
      } catch (error) {
        throw toAwsCallError('S3', 'PutObject', error);
      }
      return { bucket, key };
    },
    async getJson(location) {
      let text: string;
      try {
        const got = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
        text = (await got.Body?.transformToString()) ?? '';
      } catch (error) {
        if (sdkErrorCode(error) === 'NoSuchKey')
          throw new RunFileUnreadable(`${address(location)}: no such object`, { cause: error });
        throw toAwsCallError('S3', 'GetObject', error);
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new RunFileUnreadable(`${address(location)}: not JSON (${(error as Error).message})`, {
          cause: error,
        });
      }
    },
  };
}
