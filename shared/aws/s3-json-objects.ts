/**
 * JSON objects the backup adapters keep in the results bucket (parked waits, the copy queue):
 * written whole, read back through a schema. A missing object, one that is not JSON or one the
 * schema refuses reads as `undefined`: something this code did not write is nothing to act on.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type * as z from 'zod';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

export async function putJsonObject(s3: S3Client, bucket: string, key: string, body: unknown): Promise<void> {
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
}

export async function readJsonObject<S extends z.ZodType>(
  s3: S3Client,
  bucket: string,
  key: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  let text: string;
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await got.Body?.transformToString()) ?? '';
  } catch (error) {
    if (sdkErrorCode(error) === 'NoSuchKey') return undefined;
    throw toAwsCallError('S3', 'GetObject', error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
