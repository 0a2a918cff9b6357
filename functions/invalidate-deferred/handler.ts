import { findSite } from '../../shared/invalidation-service/change-set.ts';
import { parseDeferredMessage } from '../../shared/invalidation-service/deferral.ts';
import { MalformedEventError } from '../../shared/invalidation-service/errors.ts';
import { formatIssues } from '../../shared/invalidation-service/issues.ts';
import {
  invocation,
  recordInvalidationFailure,
  tagDeploy,
} from '../../shared/invalidation-service/observability.ts';
import { resumeDeferred } from '../../shared/invalidation-service/resume-deferred.ts';
import { type InvalidationDeps, waitBudgetSeconds } from '../../shared/invalidation-service/runtime.ts';
import { SqsEventSchema } from '../../shared/invalidation-service/s3-events.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';
import { invalidationDeps, invalidationEnv } from '../../shared/lambda/invalidation-deps.ts';

/**
 * The deferred queue: each message holds batches that did not fit in flight. Admission control
 * runs again; what still does not fit is parked again with a longer delay (a new message), so
 * this message succeeds. Malformed messages and exhausted deferrals fail into the DLQ.
 */
export const makeHandler =
  (deps: InvalidationDeps) =>
  (
    event: unknown,
    context?: { getRemainingTimeInMillis(): number },
  ): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> =>
    invocation(deps, async () => {
      const parsed = SqsEventSchema.safeParse(event);
      if (!parsed.success) throw new MalformedEventError('deferred', formatIssues(parsed.error));
      const failed: string[] = [];
      for (const record of parsed.data.Records) {
        try {
          const message = parseDeferredMessage(record.body);
          tagDeploy(deps.logger, message);
          const site = findSite(deps.sites, message.site);
          await resumeDeferred(message, site, deps, {
            waitForCompletionSeconds: waitBudgetSeconds(site, context?.getRemainingTimeInMillis()),
          });
        } catch (error) {
          deps.logger.error('deferred invalidation failed', { messageId: record.messageId, error });
          recordInvalidationFailure(deps.metrics);
          failed.push(record.messageId);
        }
      }
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    });

export const handler = lambdaHandler({
  name: 'invalidate-deferred',
  env: invalidationEnv,
  deps: invalidationDeps,
  handler: makeHandler,
});
