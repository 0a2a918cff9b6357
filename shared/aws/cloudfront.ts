import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
  type ListInvalidationsCommandOutput,
} from '@aws-sdk/client-cloudfront';
import { countPaths } from '../invalidation/batches.ts';
import {
  type CloudFrontPort,
  type CreateInvalidationInput,
  InvalidationBatchAlreadyExistsError,
  type InvalidationRecord,
  InvalidationWaitTimeoutError,
  NoSuchDistributionError,
  TooManyInvalidationsInProgressError,
} from '../invalidation-service/ports/cloudfront.ts';
import type { InvalidationSummary } from '../invalidation-service/reconcile-ledger.ts';
import { type ClientOptions, cloudFrontClientConfig } from './clients.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

export interface CloudFrontAdapterOptions extends ClientOptions {
  client?: CloudFrontClient;
  /** Page size for ListInvalidations. */
  pageSize?: number;
  /** Delay between GetInvalidation polls while waiting. */
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** ListInvalidations pages newest first: stop after this many consecutive Completed summaries. */
const COMPLETED_RUN_BEFORE_STOP = 100;

/** CloudFront's error codes as the project's named errors; anything else as an AwsCallError. */
const translate = (
  operation: string,
  distributionId: string,
  error: unknown,
  callerReference = '',
): Error => {
  switch (sdkErrorCode(error)) {
    case 'TooManyInvalidationsInProgress':
      return new TooManyInvalidationsInProgressError(distributionId, { cause: error });
    case 'InvalidationBatchAlreadyExists':
      return new InvalidationBatchAlreadyExistsError(distributionId, callerReference, { cause: error });
    case 'NoSuchDistribution':
      return new NoSuchDistributionError(distributionId, { cause: error });
    default:
      return toAwsCallError('cloudfront', operation, error);
  }
};

const invalidationGetter =
  (client: CloudFrontClient) =>
  async (distributionId: string, id: string): Promise<InvalidationRecord> => {
    try {
      const { Invalidation } = await client.send(
        new GetInvalidationCommand({ DistributionId: distributionId, Id: id }),
      );
      return {
        id: Invalidation?.Id ?? id,
        status: Invalidation?.Status === 'Completed' ? 'Completed' : 'InProgress',
        callerReference: Invalidation?.InvalidationBatch?.CallerReference ?? '',
        paths: Invalidation?.InvalidationBatch?.Paths?.Items ?? [],
      };
    } catch (error) {
      throw translate('GetInvalidation', distributionId, error);
    }
  };

type SummaryPage = NonNullable<NonNullable<ListInvalidationsCommandOutput['InvalidationList']>['Items']>;
type Pager = (distributionId: string) => AsyncGenerator<SummaryPage>;

/** The pages of a distribution's invalidation summaries, newest first, fetched as the caller reads on. */
const summaryPager = (client: CloudFrontClient, pageSize: number): Pager =>
  async function* pagesNewestFirst(distributionId: string) {
    let marker: string | undefined;
    do {
      let page: ListInvalidationsCommandOutput;
      try {
        page = await client.send(
          new ListInvalidationsCommand({
            DistributionId: distributionId,
            Marker: marker,
            MaxItems: pageSize,
          }),
        );
      } catch (error) {
        throw translate('ListInvalidations', distributionId, error);
      }
      yield page.InvalidationList?.Items ?? [];
      marker = page.InvalidationList?.IsTruncated ? page.InvalidationList.NextMarker : undefined;
    } while (marker);
  };

/** Ids of the invalidations still InProgress, over every page of ListInvalidations. */
const inProgressIds = async (pages: Pager, distributionId: string): Promise<string[]> => {
  const ids: string[] = [];
  let completedRun = 0;
  for await (const page of pages(distributionId)) {
    for (const summary of page) {
      if (summary.Status === 'Completed') {
        completedRun += 1;
        continue;
      }
      completedRun = 0;
      if (summary.Id) ids.push(summary.Id);
    }
    // Newest first: after a long run of Completed ones, older ones are done too. Undercounting is
    // safe: CloudFront then answers TooManyInvalidationsInProgress and the batch is deferred.
    if (completedRun >= COMPLETED_RUN_BEFORE_STOP) break;
  }
  return ids;
};

/** ListInvalidations pages newest first: stop at the first summary created before `sinceMs`. */
const invalidationsSince = async (
  pages: Pager,
  distributionId: string,
  sinceMs: number,
): Promise<InvalidationSummary[]> => {
  const found: InvalidationSummary[] = [];
  for await (const page of pages(distributionId))
    for (const summary of page) {
      const createTime = summary.CreateTime?.getTime() ?? 0;
      if (createTime < sinceMs) return found;
      if (summary.Id) found.push({ id: summary.Id, createTime });
    }
  return found;
};

const invalidationCreator =
  (client: CloudFrontClient): CloudFrontPort['createInvalidation'] =>
  async ({ distributionId, callerReference, paths }) => {
    try {
      const { Invalidation } = await client.send(
        new CreateInvalidationCommand({
          DistributionId: distributionId,
          InvalidationBatch: {
            CallerReference: callerReference,
            Paths: { Quantity: paths.length, Items: [...paths] },
          },
        }),
      );
      return {
        id: Invalidation?.Id,
        status: Invalidation?.Status === 'Completed' ? 'Completed' : 'InProgress',
      };
    } catch (error) {
      throw translate('CreateInvalidation', distributionId, error, callerReference);
    }
  };

interface PollTiming {
  pollIntervalMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

const completionWaiter =
  (get: CloudFrontPort['getInvalidation'], { pollIntervalMs, sleep, now }: PollTiming) =>
  async (distributionId: string, ids: readonly string[], maxWaitSeconds: number): Promise<void> => {
    const deadline = now() + maxWaitSeconds * 1000;
    let pending = [...ids];
    for (;;) {
      const records = await Promise.all(pending.map((id) => get(distributionId, id)));
      pending = records.filter((r) => r.status !== 'Completed').map((r) => r.id);
      if (pending.length === 0) return;
      const left = deadline - now();
      if (left <= 0) throw new InvalidationWaitTimeoutError(distributionId, pending, maxWaitSeconds);
      await sleep(Math.min(pollIntervalMs, left));
    }
  };

export const createCloudFrontAdapter = (options: CloudFrontAdapterOptions = {}): CloudFrontPort => {
  const {
    client: injected,
    pageSize = 100,
    pollIntervalMs = 20_000,
    sleep = realSleep,
    now = Date.now,
    ...config
  } = options;
  const client = injected ?? new CloudFrontClient(cloudFrontClientConfig(config));
  const getInvalidation = invalidationGetter(client);
  const pages = summaryPager(client, pageSize);
  return {
    invalidationsSince: (distributionId, sinceMs) => invalidationsSince(pages, distributionId, sinceMs),
    createInvalidation: invalidationCreator(client),
    async inFlightUsage(distributionId) {
      const ids = await inProgressIds(pages, distributionId);
      const invalidations = await Promise.all(ids.map((id) => getInvalidation(distributionId, id)));
      const inProgress = invalidations.filter((i) => i.status === 'InProgress');
      return { ...countPaths(inProgress.flatMap((i) => i.paths)), invalidations: inProgress };
    },
    getInvalidation,
    waitForCompletion: completionWaiter(getInvalidation, { pollIntervalMs, sleep, now }),
  };
};

/**
 * Dry run: reads through the real port, never writes. `createInvalidation` records and returns
 * what would have been created, so the whole submission path can be rehearsed against production.
 */
export const createDryRunCloudFront = (
  real: CloudFrontPort,
): CloudFrontPort & { readonly wouldCreate: readonly CreateInvalidationInput[] } => {
  const wouldCreate: CreateInvalidationInput[] = [];
  return {
    wouldCreate,
    async createInvalidation(input) {
      wouldCreate.push({ ...input, paths: [...input.paths] });
      return { status: 'DryRun' };
    },
    inFlightUsage: (id) => real.inFlightUsage(id),
    invalidationsSince: (id, since) => real.invalidationsSince(id, since),
    getInvalidation: (distributionId, id) => real.getInvalidation(distributionId, id),
    async waitForCompletion() {},
  };
};
