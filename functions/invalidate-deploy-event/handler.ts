import { findSite } from '../../shared/deploy/change-set.ts';
import { normalizeDeployEvent } from '../../shared/deploy/deploy-event.ts';
import {
  defaultInvalidationDeps,
  type InvalidationDeps,
  lazy,
  waitBudgetSeconds,
} from '../../shared/deploy/runtime.ts';
import { type DeploySummary, submitChangeSet } from '../../shared/deploy/submit.ts';

/**
 * EventBridge `shipyard` / `Deployment Completed` → invalidation of the site's changes. Errors
 * are thrown: the asynchronous invocation retries (harmless: same CallerReferences) and then
 * goes to the function's failure destination.
 */
export const makeHandler =
  (deps: InvalidationDeps) =>
  async (event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<DeploySummary> => {
    const changeSet = normalizeDeployEvent(event, deps.sites);
    deps.logger.setCorrelationId(changeSet.deployId);
    const site = findSite(deps.sites, changeSet.site);
    return submitChangeSet(changeSet, site, deps, {
      waitForCompletionSeconds: waitBudgetSeconds(site, context?.getRemainingTimeInMillis()),
    });
  };

const defaults = lazy(() => makeHandler(defaultInvalidationDeps('invalidate-deploy-event')));
export const handler = async (event: unknown, context?: { getRemainingTimeInMillis(): number }) =>
  defaults()(event, context);
