/**
 * The WaitStore port over S3: one JSON object per awaited resource in the results bucket,
 * `waits/<region>/<resource id>.json` (the bucket is private, encrypted and lifecycle-expired,
 * so a wait nobody resumed disappears on its own). A key per resource makes the event
 * handler's lookup one GET, whatever the number of waits; S3's strong read-after-write
 * consistency means a wait parked before the check is visible to the event that follows it
 * (Amazon S3 User Guide, "Amazon S3 data consistency model").
 */
import { DeleteObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import * as z from 'zod';
import type { ParkedWait, WaitStore } from '../backup-service/ports/event-waits.ts';
import { toAwsCallError } from './errors.ts';
import { putJsonObject, readJsonObject } from './s3-json-objects.ts';

const WAITS_PREFIX = 'waits/';

const parkedWaitSchema = z
  .object({
    token: z.string().min(1),
    kind: z.enum(['snapshots', 'image', 'copy']),
    input: z.unknown(),
    parkedAt: z.string(),
  })
  .strict();

export interface S3EventWaitsOptions {
  bucket: string;
  config?: S3ClientConfig;
  client?: S3Client;
}

/** `waits/<region>/<id>.json`; both parts are checked so an event field cannot reach another key. */
const waitKey = (region: string, resourceId: string): string => {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`not a region: ${region}`);
  if (!/^(snap|ami)-[0-9a-f]{8,17}$/.test(resourceId))
    throw new Error(`not a snapshot or AMI id: ${resourceId}`);
  return `${WAITS_PREFIX}${region}/${resourceId}.json`;
};

export function createS3EventWaits({ bucket, config = {}, client }: S3EventWaitsOptions): WaitStore {
  const s3 = client ?? new S3Client(config);
  return {
    put: (region, resourceId, wait) => putJsonObject(s3, bucket, waitKey(region, resourceId), wait),
    async get(region, resourceId): Promise<ParkedWait | undefined> {
      let key: string;
      try {
        key = waitKey(region, resourceId);
      } catch {
        return undefined; // an id no step would park under
      }
      // Not a wait this code parked: nothing to resume (the fallback ends that Task).
      return (await readJsonObject(s3, bucket, key, parkedWaitSchema)) as ParkedWait | undefined;
    },
    async delete(region, resourceId) {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: waitKey(region, resourceId) }));
      } catch (error) {
        throw toAwsCallError('S3', 'DeleteObject', error);
      }
    },
  };
}
