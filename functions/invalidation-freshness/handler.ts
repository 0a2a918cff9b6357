import { MalformedEventError } from '../../shared/invalidation-service/errors.ts';
import { checkFreshness, FreshnessWatchSchema } from '../../shared/invalidation-service/freshness.ts';
import { formatIssues } from '../../shared/invalidation-service/issues.ts';
import { invocation, tagDeploy } from '../../shared/invalidation-service/observability.ts';
import { SqsEventSchema } from '../../shared/invalidation-service/s3-events.ts';
import { type FreshnessDeps, freshnessDeps, freshnessEnv } from '../../shared/lambda/freshness-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

/**
 * The freshness queue: each message is one watch (a deploy's invalidations on one distribution).
 * One GetInvalidation pass per message; a pending watch sends itself again, delayed. A failed
 * record is reported alone (redelivered; the events' once-markers keep it from publishing twice).
 */
export const makeHandler =
  (deps: FreshnessDeps) =>
  (event: unknown): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> =>
    invocation(deps, async () => {
      const parsed = SqsEventSchema.safeParse(event);
      if (!parsed.success) throw new MalformedEventError('freshness', formatIssues(parsed.error));
      const failed: string[] = [];
      for (const record of parsed.data.Records) {
        try {
          const watch = FreshnessWatchSchema.parse(JSON.parse(record.body));
          tagDeploy(deps.logger, watch);
          const result = await checkFreshness(watch, deps);
          if (result.status === 'abandoned')
            deps.logger.warn('invalidations still in progress: no longer watched', { ...result });
          else
            deps.logger.info('invalidation freshness checked', {
              distributionId: watch.distributionId,
              ...result,
            });
        } catch (error) {
          deps.logger.error('freshness check failed', { messageId: record.messageId, error });
          failed.push(record.messageId);
        }
      }
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    });

export const handler = lambdaHandler({
  name: 'invalidation-freshness',
  env: freshnessEnv,
  deps: freshnessDeps,
  handler: makeHandler,
});
