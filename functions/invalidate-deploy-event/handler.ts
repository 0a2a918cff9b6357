import { createS3InventoryAdapter } from '../../shared/aws/s3-inventory.ts';
import { findSite } from '../../shared/invalidation-service/change-set.ts';
import { normalizeDeployEvent } from '../../shared/invalidation-service/deploy-event.ts';
import type { DeploySummary } from '../../shared/invalidation-service/deploy-summary.ts';
import {
  invocation,
  recordInvalidationFailure,
  tagDeploy,
} from '../../shared/invalidation-service/observability.ts';
import { type InvalidationDeps, waitBudgetSeconds } from '../../shared/invalidation-service/runtime.ts';
import { submitChangeSet } from '../../shared/invalidation-service/submit.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';
import { invalidationDeps, invalidationEnv } from '../../shared/lambda/invalidation-deps.ts';

/**
 * EventBridge `shipyard` / `Deployment Completed` → invalidation of the site's changes. Errors
 * are thrown: the asynchronous invocation retries (harmless: same CallerReferences) and then
 * goes to the function's failure destination.
 */
export const makeHandler =
  (deps: InvalidationDeps) =>
  (event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<DeploySummary> =>
    invocation(deps, async () => {
      const changeSet = normalizeDeployEvent(event, deps.sites);
      tagDeploy(deps.logger, changeSet);
      try {
        const site = findSite(deps.sites, changeSet.site);
        return await submitChangeSet(changeSet, site, deps, {
          waitForCompletionSeconds: waitBudgetSeconds(site, context?.getRemainingTimeInMillis()),
        });
      } catch (error) {
        // A malformed event is not counted: it fails the same way on every retry and lands on
        // the failure queue, which has its own alarm.
        recordInvalidationFailure(deps.metrics);
        throw error;
      }
    });

export const handler = lambdaHandler({
  name: 'invalidate-deploy-event',
  env: invalidationEnv,
  deps: (env, observability) => ({
    ...invalidationDeps(env, observability),
    inventory: createS3InventoryAdapter(),
  }),
  handler: makeHandler,
});
