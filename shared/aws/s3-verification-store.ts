/**
 * Shipyard's own records of restore tests and launches, in the run records bucket:
 * `verifications/<region>/<imageId>/<verificationId>.json` (one per result, never
 * overwritten) and `verification-launches/<region>/<instanceId>.json` (deleted once the
 * instance is terminated). AMIs Shipyard did not make are recorded here, never tagged.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import { launchKey } from '../backup/verification.ts';
import { verificationRecordSchema } from '../backup/verification-record.ts';
import type { VerificationStore } from '../backup-service/ports/verification.ts';
import { toAwsCallError } from './errors.ts';

const RESULTS = 'verifications/';
const LAUNCHES = 'verification-launches/';
const launchSchema = z
  .object({
    region: z.string(),
    intentId: z.string().min(1).optional(),
    instanceId: z.string().min(1).optional(),
    deadline: z.iso.datetime({ offset: true }),
    verificationId: z.string().optional(),
  })
  .strict()
  .refine((l) => l.intentId !== undefined || l.instanceId !== undefined);

export function createS3VerificationStore(options: {
  bucket: string;
  config?: S3ClientConfig;
  client?: S3Client;
}): VerificationStore {
  const s3 = options.client ?? new S3Client(options.config ?? {});
  const Bucket = options.bucket;
  const send = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toAwsCallError('S3', operation, error);
    }
  };
  const put = (Key: string, body: unknown) =>
    send('PutObject', () =>
      s3.send(
        new PutObjectCommand({ Bucket, Key, Body: JSON.stringify(body), ContentType: 'application/json' }),
      ),
    );
  async function keys(Prefix: string): Promise<string[]> {
    const out: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await send('ListObjectsV2', () =>
        s3.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken })),
      );
      for (const o of page.Contents ?? []) if (o.Key?.endsWith('.json')) out.push(o.Key);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
    return out.sort();
  }
  async function read<T>(Key: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const got = await send('GetObject', () => s3.send(new GetObjectCommand({ Bucket, Key })));
    try {
      const parsed = schema.safeParse(JSON.parse((await got.Body?.transformToString()) ?? ''));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
  return {
    async putResult(record) {
      await put(`${RESULTS}${record.region}/${record.imageId}/${record.verificationId}.json`, record);
    },
    async results(region) {
      const found = await keys(region === undefined ? RESULTS : `${RESULTS}${region}/`);
      const records = await Promise.all(found.map((key) => read(key, verificationRecordSchema)));
      return records.filter((r) => r !== undefined);
    },
    async recordLaunch(launch) {
      const key = launchKey(launch);
      if (key === '') throw new Error('recordLaunch: a launch needs its intentId or its instanceId');
      await put(`${LAUNCHES}${launch.region}/${encodeURIComponent(key)}.json`, launch);
    },
    async launches(region) {
      const found = await keys(`${LAUNCHES}${region}/`);
      const launches = await Promise.all(found.map((key) => read(key, launchSchema)));
      return launches.filter((l) => l !== undefined).map(({ region: _region, ...launch }) => launch);
    },
    async forgetLaunch(region, key) {
      await send('DeleteObject', () =>
        s3.send(
          new DeleteObjectCommand({ Bucket, Key: `${LAUNCHES}${region}/${encodeURIComponent(key)}.json` }),
        ),
      );
    },
  };
}
