/**
 * The read side of the backup workflow's EC2 port. Listings use Filters (never id lists) so
 * that a missing or not-yet-visible resource is absent rather than an error for the whole
 * call, and so MaxResults paging always applies.
 */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type Filter,
  GetInstanceUefiDataCommand,
} from '@aws-sdk/client-ec2';
import { InvalidBackupInput } from '../backup/errors.ts';
import type { Ec2Port, TagQuery } from '../backup-service/ports/ec2.ts';
import { ec2ErrorCode } from './ec2-errors.ts';
import { toImage, toInstance, toSnapshot, toVolume } from './ec2-mapping.ts';
import {
  allPages,
  type Ec2PortContext,
  filtersOf,
  isEmptySelection,
  NOT_FOUND_IMAGE,
} from './ec2-port-context.ts';

type Ec2Reads = Pick<
  Ec2Port,
  | 'describeInstances'
  | 'describeVolumes'
  | 'describeSnapshots'
  | 'describeImages'
  | 'describeLaunchImage'
  | 'getInstanceUefiData'
>;

type Page<T> = { items: T[]; next?: string | undefined };

/** Every page of one filtered listing; nothing at all when an id filter selects nothing. */
async function listing<T>(
  ctx: Ec2PortContext,
  operation: string,
  query: TagQuery,
  extra: Record<string, readonly string[] | undefined>,
  page: (filters: Filter[], token: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  if (isEmptySelection(extra)) return [];
  const filters = filtersOf(query, extra);
  return ctx.call(operation, InvalidBackupInput, () => allPages((token) => page(filters, token)));
}

export function ec2Reads(ctx: Ec2PortContext): Ec2Reads {
  const { client, pageSize: MaxResults } = ctx;
  return {
    describeInstances: (query) =>
      listing(
        ctx,
        'DescribeInstances',
        query,
        { 'instance-id': query.instanceIds },
        async (Filters, NextToken) => {
          const out = await client.send(new DescribeInstancesCommand({ Filters, MaxResults, NextToken }));
          const items = (out.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map(toInstance));
          return { items, next: out.NextToken };
        },
      ),
    describeVolumes: (query) =>
      listing(
        ctx,
        'DescribeVolumes',
        query,
        { 'volume-id': query.volumeIds, 'attachment.instance-id': query.attachedInstanceIds },
        async (Filters, NextToken) => {
          const out = await client.send(new DescribeVolumesCommand({ Filters, MaxResults, NextToken }));
          return { items: (out.Volumes ?? []).map(toVolume), next: out.NextToken };
        },
      ),
    describeSnapshots: (query) =>
      listing(
        ctx,
        'DescribeSnapshots',
        query,
        { 'snapshot-id': query.snapshotIds },
        async (Filters, NextToken) => {
          const out = await client.send(
            new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters, MaxResults, NextToken }),
          );
          return { items: (out.Snapshots ?? []).map(toSnapshot), next: out.NextToken };
        },
      ),
    describeImages: (query) =>
      listing(
        ctx,
        'DescribeImages',
        query,
        { 'image-id': query.imageIds, name: query.names },
        async (Filters, NextToken) => {
          const out = await client.send(
            new DescribeImagesCommand({ Owners: ['self'], Filters, MaxResults, NextToken }),
          );
          return { items: (out.Images ?? []).map(toImage), next: out.NextToken };
        },
      ),
    describeLaunchImage: (imageId) => describeLaunchImage(ctx, imageId),
    getInstanceUefiData: (instanceId) =>
      ctx.call('GetInstanceUefiData', InvalidBackupInput, async () => {
        const out = await client.send(new GetInstanceUefiDataCommand({ InstanceId: instanceId }));
        return out.UefiData === undefined || out.UefiData === '' ? undefined : out.UefiData;
      }),
  };
}

async function describeLaunchImage(ctx: Ec2PortContext, imageId: string) {
  try {
    // No Owners: the launch AMI is often Amazon's or a Marketplace seller's.
    const out = await ctx.client.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    const image = out.Images?.[0];
    return image === undefined ? undefined : toImage(image);
  } catch (error) {
    if (NOT_FOUND_IMAGE.has(ec2ErrorCode(error) ?? '')) return undefined;
    throw ctx.failure(error, 'DescribeImages', InvalidBackupInput);
  }
}
