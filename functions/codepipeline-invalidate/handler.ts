import { createPipelineAdapter, type PipelinePort } from '../../shared/aws/codepipeline.ts';
import { JobNotFoundError } from '../../shared/aws/errors.ts';
import { findSite } from '../../shared/invalidation-service/change-set.ts';
import {
  codePipelineJobId,
  normalizeCodePipelineJob,
} from '../../shared/invalidation-service/codepipeline.ts';
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

export interface CodePipelineDeps extends InvalidationDeps {
  pipeline: PipelinePort;
}

const describe = (summary: DeploySummary): string => {
  const batches = summary.distributions.flatMap((d) => d.batches);
  const deferred = batches.filter((b) => b.status === 'deferred').length;
  return `Invalidated ${summary.site} on ${summary.distributions.length} distribution(s): ${batches.length - deferred} batch(es) submitted, ${summary.pathsBilled} path(s) billed${deferred > 0 ? `, ${deferred} batch(es) deferred until CloudFront has room` : ''}.`;
};

/**
 * CodePipeline "Invoke Lambda" action. The job is checked with GetJobDetails before anything
 * else: an id CodePipeline does not know (a forged or replayed event) invalidates nothing, and
 * gets no result either — PutJob*Result would answer JobNotFoundException too — so it is only
 * logged and counted as a failure. Every known job gets a result — success or failure — so a
 * pipeline never hangs until the action times out. Only a job without an id (not a
 * CodePipeline event at all), a failed job check or a failure to report is thrown.
 */
export const makeHandler =
  (deps: CodePipelineDeps) =>
  (event: unknown, context?: { getRemainingTimeInMillis(): number }): Promise<void> =>
    invocation(deps, async () => {
      const jobId = codePipelineJobId(event);
      tagDeploy(deps.logger, { deployId: jobId });
      try {
        await deps.pipeline.assertJobExists(jobId);
      } catch (error) {
        if (!(error instanceof JobNotFoundError)) throw error;
        deps.logger.error('unknown CodePipeline job: nothing invalidated, no result to report', {
          jobId,
          error,
        });
        recordInvalidationFailure(deps.metrics);
        return;
      }
      let summary: DeploySummary;
      try {
        const { changeSet } = normalizeCodePipelineJob(event, deps.sites);
        tagDeploy(deps.logger, changeSet);
        const site = findSite(deps.sites, changeSet.site);
        summary = await submitChangeSet(changeSet, site, deps, {
          waitForCompletionSeconds: waitBudgetSeconds(site, context?.getRemainingTimeInMillis()),
        });
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        deps.logger.error('CodePipeline invalidation failed', { jobId, error });
        recordInvalidationFailure(deps.metrics);
        await deps.pipeline.fail(jobId, message);
        return;
      }
      await deps.pipeline.succeed(jobId, describe(summary));
    });

export const handler = lambdaHandler({
  name: 'codepipeline-invalidate',
  env: invalidationEnv,
  deps: (env, observability) => ({
    ...invalidationDeps(env, observability),
    pipeline: createPipelineAdapter(),
  }),
  handler: makeHandler,
});
