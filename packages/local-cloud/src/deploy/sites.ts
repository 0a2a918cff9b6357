import { PutBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import type { DeployContext } from './context.ts';
import type { SiteReport } from './report.ts';
import { ensureBucket } from './resources/s3.ts';

/** What the deployer needs of a site whose bucket sends object events to the stack's queue. */
export interface NotifiedSite {
  name: string;
  bucket: string;
  keyPrefix?: string | undefined;
  /** `false` leaves the bucket's notifications alone. */
  s3Events?: boolean | undefined;
}

/**
 * The site buckets are the user's, not the stack's: for each bucket the config names,
 * create it if the local cloud lacks it and send its ObjectCreated/ObjectRemoved events
 * under each site's key prefix to the S3 events queue (one configuration per bucket, as
 * S3 keeps one; putting it replaces the previous one, so re-deploying is idempotent).
 */
export const deploySiteNotifications = async (
  ctx: DeployContext,
  sites: NotifiedSite[],
  queueArn: string | undefined,
): Promise<SiteReport[]> => {
  const byBucket = new Map<string, NotifiedSite[]>();
  for (const site of sites.filter((s) => s.s3Events !== false))
    byBucket.set(site.bucket, [...(byBucket.get(site.bucket) ?? []), site]);
  const reports: SiteReport[] = [];
  for (const [bucket, group] of byBucket) {
    const base = (site: NotifiedSite) => ({ site: site.name, bucket, prefix: site.keyPrefix ?? '' });
    if (!queueArn) {
      for (const site of group)
        reports.push({ ...base(site), status: 'failed', reason: 'the template has no S3 events queue' });
      continue;
    }
    try {
      await ensureBucket(ctx.clients.s3, ctx.region, bucket);
      await ctx.clients.s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            QueueConfigurations: group.map((site) => ({
              Id: `shipyard-${ctx.stage}-${site.name}`,
              QueueArn: queueArn,
              Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
              ...(site.keyPrefix
                ? { Filter: { Key: { FilterRules: [{ Name: 'prefix' as const, Value: site.keyPrefix }] } } }
                : {}),
            })),
          },
        }),
      );
      for (const site of group) reports.push({ ...base(site), queueArn, status: 'created' });
    } catch (error) {
      for (const site of group)
        reports.push({
          ...base(site),
          queueArn,
          status: 'failed',
          reason: error instanceof Error ? error.message : String(error),
        });
    }
  }
  return reports;
};
