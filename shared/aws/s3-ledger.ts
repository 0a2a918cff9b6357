/**
 * The invalidation path ledger in S3: one JSON object per UTC month at
 * `invalidation-ledger/<YYYY-MM>.json`, written with S3 conditional writes (S3 User Guide, "How to
 * prevent object overwrites with conditional writes",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html; PutObject API
 * reference, IfMatch / IfNoneMatch): the month's first write with `If-None-Match: *`, every later
 * one with `If-Match: <ETag read>`. S3 answers 412 PreconditionFailed when another writer won, and
 * 409 ConditionalRequestConflict while a conflicting write is in flight: both are a lost round for
 * the caller (re-read and retry).
 */
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  emptyLedger,
  type LedgerMonth,
  LedgerMonthSchema,
  type PathLedgerStore,
} from '../invalidation-service/path-ledger.ts';
import { httpStatus, lostConditionalWrite, sdkErrorCode, toAwsCallError } from './errors.ts';

const ledgerKey = (month: string): string => `invalidation-ledger/${month}.json`;

export interface S3LedgerOptions {
  bucket: string;
  config?: S3ClientConfig;
  client?: S3Client;
}

export function createS3PathLedger({ bucket, config = {}, client }: S3LedgerOptions): PathLedgerStore {
  const s3 = client ?? new S3Client(config);
  return {
    async read(month) {
      let got: GetObjectCommandOutput;
      try {
        got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: ledgerKey(month) }));
      } catch (error) {
        if (sdkErrorCode(error) === 'NoSuchKey' || httpStatus(error) === 404)
          return { ledger: emptyLedger(month), version: null };
        throw toAwsCallError('S3', 'GetObject', error);
      }
      const text = (await got.Body?.transformToString()) ?? '';
      // A ledger we cannot read must not be overwritten as if empty: fail loudly.
      const ledger: LedgerMonth = LedgerMonthSchema.parse(JSON.parse(text));
      return { ledger, version: got.ETag ?? null };
    },

    async write(ledger, version) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: ledgerKey(ledger.month),
            Body: JSON.stringify(ledger),
            ContentType: 'application/json',
            ...(version === null ? { IfNoneMatch: '*' } : { IfMatch: version }),
          }),
        );
        return 'written';
      } catch (error) {
        if (lostConditionalWrite(error)) return 'conflict';
        throw toAwsCallError('S3', 'PutObject', error);
      }
    },
  };
}
