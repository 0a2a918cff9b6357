/** The keys a site serves, for the invalidation planner (shared/aws/s3-inventory.ts implements it over S3). */
interface ListSiteKeysOptions {
  /** Stop and return undefined once the listing would exceed this many keys. */
  maxKeys?: number;
}

/** The narrow S3 port the invalidation planner needs: the keys a site serves. */
export interface InventoryPort {
  /**
   * Every key under `prefix` ('' for the whole bucket), in S3's order, or undefined when there
   * are more than `maxKeys` (the caller then plans without an inventory).
   */
  listSiteKeys(bucket: string, prefix: string, options?: ListSiteKeysOptions): Promise<string[] | undefined>;
}
