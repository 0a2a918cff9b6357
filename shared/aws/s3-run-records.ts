/**
 * Run records in S3 (the RunRecords port): one JSON object per run at
 * `runs/<policy>/<runId>.json`, created with the conditional write `If-None-Match: *` so
 * that two executions can never both record a run id (S3 answers 412 PreconditionFailed
 * when the key exists, 409 ConditionalRequestConflict while a conflicting write is in
 * flight: retry it; PutObject API reference, IfNoneMatch).
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  type RecordOutcome,
  type RunRecord,
  type RunRecords,
  runRecordSchema,
} from '../backup-service/run-records.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

const PREFIX = 'runs/';
export const runRecordKey = (policy: string, runId: string): string => `${PREFIX}${policy}/${runId}.json`;

/** Attempts of a create-only put answered 409 (a concurrent conditional write) before giving up. */
const CONFLICT_ATTEMPTS = 3;

const status = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

export interface S3RunRecordsOptions {
  bucket: string;
  config?: S3ClientConfig;
  client?: S3Client;
}

export function createS3RunRecords({ bucket, config = {}, client }: S3RunRecordsOptions): RunRecords {
  const s3 = client ?? new S3Client(config);

  async function read(key: string): Promise<RunRecord | undefined> {
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const parsed = runRecordSchema.safeParse(JSON.parse((await got.Body?.transformToString()) ?? ''));
      return parsed.success ? parsed.data : undefined;
    } catch (error) {
      if (error instanceof SyntaxError) return undefined;
      throw toAwsCallError('S3', 'GetObject', error);
    }
  }

  return {
    async record(record): Promise<RecordOutcome> {
      const key = runRecordKey(record.policy, record.runId);
      for (let attempt = 1; ; attempt += 1) {
        try {
          await s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: JSON.stringify(record),
              ContentType: 'application/json',
              IfNoneMatch: '*',
            }),
          );
          return { created: true };
        } catch (error) {
          if (sdkErrorCode(error) === 'PreconditionFailed' || status(error) === 412)
            return { created: false, existing: await read(key) };
          const conflict = sdkErrorCode(error) === 'ConditionalRequestConflict' || status(error) === 409;
          if (!conflict || attempt >= CONFLICT_ATTEMPTS) throw toAwsCallError('S3', 'PutObject', error);
        }
      }
    },

    async recordedRunIds(policy) {
      const prefix = `${PREFIX}${policy}/`;
      const ids: string[] = [];
      let token: string | undefined;
      do {
        let page: ListObjectsV2CommandOutput;
        try {
          page = await s3.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
          );
        } catch (error) {
          throw toAwsCallError('S3', 'ListObjectsV2', error);
        }
        for (const object of page.Contents ?? []) {
          const key = object.Key ?? '';
          if (key.endsWith('.json')) ids.push(key.slice(prefix.length, -'.json'.length));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return ids.sort();
    },
  };
}
