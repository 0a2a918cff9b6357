import * as z from 'zod';
import type { Site } from '../config/sites.ts';
import { broadChangeSet, type ChangeSet, findSite } from './change-set.ts';
import { MalformedEventError } from './errors.ts';
import { formatIssues } from './issues.ts';
import { canonicalPaths } from './paths.ts';

const JobSchema = z.object({
  'CodePipeline.job': z.object({
    id: z.string().min(1),
    data: z.object({
      actionConfiguration: z.object({
        configuration: z.object({ UserParameters: z.string().optional() }),
      }),
    }),
  }),
});

const UserParametersSchema = z
  .object({ site: z.string().min(1), paths: z.array(z.string().min(1)).min(1).optional() })
  .strict();

/** Only the job id: read first so that every later problem can still be reported to the pipeline. */
export const codePipelineJobId = (event: unknown): string => {
  const id = (event as { 'CodePipeline.job'?: { id?: unknown } } | null)?.['CodePipeline.job']?.id;
  if (typeof id !== 'string' || id === '') {
    throw new MalformedEventError('codepipeline', [
      'CodePipeline.job.id: expected the job id (a non-empty string)',
    ]);
  }
  return id;
};

const parseUserParameters = (text: string | undefined): z.infer<typeof UserParametersSchema> => {
  const field = 'CodePipeline.job.data.actionConfiguration.configuration.UserParameters';
  const raw = text?.trim() ?? '';
  if (raw === '')
    throw new MalformedEventError('codepipeline', [`${field}: expected a site name or {"site": …}`]);
  if (!raw.startsWith('{')) return { site: raw };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new MalformedEventError('codepipeline', [`${field}: not valid JSON`], { cause: error });
  }
  const parsed = UserParametersSchema.safeParse(json);
  if (!parsed.success) throw new MalformedEventError('codepipeline', formatIssues(parsed.error, field));
  return parsed.data;
};

/**
 * A CodePipeline "Invoke Lambda" job → the site's change set. UserParameters is the site name,
 * or JSON `{"site": "web", "paths": ["/index.html"]}`; without paths, the site's broad paths.
 * The job id is the deploy id: a retried job is a new job, and a new invalidation.
 *
 * @example
 * normalizeCodePipelineJob({ 'CodePipeline.job': { id: 'j-1', data: { actionConfiguration: { configuration: { UserParameters: 'web' } } } } }, sites)
 * // { jobId: 'j-1', changeSet: { site: 'web', deployId: 'j-1', paths: ['/*'], … } }
 */
export const normalizeCodePipelineJob = (
  event: unknown,
  sites: readonly Site[],
): { jobId: string; changeSet: ChangeSet } => {
  const jobId = codePipelineJobId(event);
  const parsed = JobSchema.safeParse(event);
  if (!parsed.success) throw new MalformedEventError('codepipeline', formatIssues(parsed.error));
  const params = parseUserParameters(
    parsed.data['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters,
  );
  const site = findSite(sites, params.site);
  if (!params.paths) {
    return {
      jobId,
      changeSet: broadChangeSet(
        site,
        jobId,
        'codepipeline',
        'CodePipeline invalidates the configured broad paths',
      ),
    };
  }
  return {
    jobId,
    changeSet: {
      site: site.name,
      deployId: jobId,
      source: 'codepipeline',
      changes: [],
      paths: canonicalPaths(params.paths, 'codepipeline', 'UserParameters.paths'),
      reason: 'paths named in the CodePipeline action',
    },
  };
};
