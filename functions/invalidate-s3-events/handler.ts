import { createS3InventoryAdapter } from '../../shared/aws/s3-inventory.ts';
import { findSite } from '../../shared/invalidation-service/change-set.ts';
import { MalformedEventError } from '../../shared/invalidation-service/errors.ts';
import { formatIssues } from '../../shared/invalidation-service/issues.ts';
import {
  invocation,
  recordInvalidationFailure,
  tagDeploy,
} from '../../shared/invalidation-service/observability.ts';
import { type InvalidationDeps, waitBudgetSeconds } from '../../shared/invalidation-service/runtime.ts';
import { normalizeS3Batch, SqsEventSchema } from '../../shared/invalidation-service/s3-events.ts';
import { submitChangeSet } from '../../shared/invalidation-service/submit.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';
import { invalidationDeps, invalidationEnv } from '../../shared/lambda/invalidation-deps.ts';

/** Unclaimed objects named in the response and the warning; the count says how many there were. */
export const UNCLAIMED_SAMPLE = 10;

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
  /**
   * Present when some records named objects no site claims. Lambda's SQS event source mapping
   * reads only `batchItemFailures` from the response [unconfirmed: extra fields ignored].
   */
  unclaimed?: { count: number; sample: { bucket: string; key: string }[] };
}

/**
 * SQS batch of S3 object notifications → one invalidation per site. Messages whose change set
 * failed (or that are malformed) are reported as batch item failures: SQS redelivers them, and
 * after maxReceiveCount they land in the dead-letter queue.
 */
export const makeHandler =
  (deps: InvalidationDeps) =>
  (event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<BatchResponse> =>
    invocation(deps, async () => {
      const { logger } = deps;
      const parsed = SqsEventSchema.safeParse(event);
      if (!parsed.success) throw new MalformedEventError('s3', formatIssues(parsed.error));
      const batch = normalizeS3Batch(parsed.data.Records, deps.sites);
      const failed = new Set<string>();
      for (const { messageId, error } of batch.malformed) {
        logger.error('malformed S3 event message', { messageId, error });
        failed.add(messageId);
      }
      for (const { messageId, reason } of batch.ignored)
        logger.info('ignored S3 event', { messageId, reason });
      const unclaimed =
        batch.unclaimed.length === 0
          ? undefined
          : {
              count: batch.unclaimed.length,
              sample: batch.unclaimed.slice(0, UNCLAIMED_SAMPLE).map(({ bucket, key }) => ({ bucket, key })),
            };
      if (unclaimed)
        logger.warn('S3 events for objects no site claims: not invalidated', {
          ...unclaimed,
          messageIds: [...new Set(batch.unclaimed.map((u) => u.messageId))].slice(0, UNCLAIMED_SAMPLE),
        });
      for (const { changeSet, messageIds } of batch.changeSets) {
        tagDeploy(logger, changeSet);
        try {
          const site = findSite(deps.sites, changeSet.site);
          await submitChangeSet(changeSet, site, deps, {
            waitForCompletionSeconds: waitBudgetSeconds(site, context?.getRemainingTimeInMillis()),
          });
        } catch (error) {
          logger.error('invalidation failed; its messages will be redelivered', {
            site: changeSet.site,
            messageIds,
            error,
          });
          recordInvalidationFailure(deps.metrics);
          for (const id of messageIds) failed.add(id);
        }
      }
      return {
        batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })),
        ...(unclaimed ? { unclaimed } : {}),
      };
    });

export const handler = lambdaHandler({
  name: 'invalidate-s3-events',
  env: invalidationEnv,
  deps: (env, observability) => ({
    ...invalidationDeps(env, observability),
    inventory: createS3InventoryAdapter(),
  }),
  handler: makeHandler,
});
