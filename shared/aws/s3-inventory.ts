import { ListObjectsV2Command, type ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { InventoryPort } from '../invalidation-service/ports/inventory.ts';
import { type ClientOptions, regionalClientConfig } from './clients.ts';
import { toAwsCallError } from './errors.ts';

/**
 * Beyond this many keys a listing costs more time (one request per 1,000 keys, sequential) than
 * an exact needless count is worth: the planner falls back to its no-inventory estimate.
 */
const DEFAULT_MAX_INVENTORY_KEYS = 200_000;

/** ListObjectsV2 returns at most 1,000 keys per page. */
const PAGE_SIZE = 1000;

export interface S3InventoryAdapterOptions extends ClientOptions {
  client?: S3Client;
}

/**
 * Paged ListObjectsV2 adapter. `followRegionRedirects`: site buckets often live in another
 * region than the function (CloudFront is global), and S3 answers those with a 301.
 */
export const createS3InventoryAdapter = (options: S3InventoryAdapterOptions = {}): InventoryPort => {
  const { client: injected, ...config } = options;
  const client = injected ?? new S3Client({ ...regionalClientConfig(config), followRegionRedirects: true });
  return {
    async listSiteKeys(bucket, prefix, { maxKeys = DEFAULT_MAX_INVENTORY_KEYS } = {}) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        let page: ListObjectsV2CommandOutput;
        try {
          page = await client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              ...(prefix === '' ? {} : { Prefix: prefix }),
              MaxKeys: PAGE_SIZE,
              ContinuationToken: token,
            }),
          );
        } catch (error) {
          throw toAwsCallError('s3', 'ListObjectsV2', error);
        }
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
        if (keys.length > maxKeys) return undefined;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
  };
};
