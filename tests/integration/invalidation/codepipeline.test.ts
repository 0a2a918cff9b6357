import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/codepipeline-invalidate/handler.ts';
import type { PipelinePort } from '../../../shared/aws/codepipeline.ts';
import { useLocalCloud } from '../../helpers/local-cloud.ts';
import {
  createInvalidationCalls,
  DOCS_DIST,
  invalidationsOf,
  makeDeps,
  seedDistributions,
} from './harness.ts';

const local = useLocalCloud();

const job = (UserParameters: string | undefined, id = 'a5f1c4de-1111-2222-3333-444455556666') => ({
  'CodePipeline.job': {
    id,
    accountId: '123456789012',
    data: {
      actionConfiguration: {
        configuration: { FunctionName: 'shipyard-dev-codepipelineInvalidate', UserParameters },
      },
      inputArtifacts: [],
      outputArtifacts: [],
    },
  },
});

/** Records what the handler reports; the local cloud has no CodePipeline service yet. */
const recordingPipeline = () => {
  const results: { jobId: string; outcome: 'success' | 'failure'; text: string }[] = [];
  const pipeline: PipelinePort = {
    succeed: async (jobId, text) => {
      results.push({ jobId, outcome: 'success', text });
    },
    fail: async (jobId, text) => {
      results.push({ jobId, outcome: 'failure', text });
    },
  };
  return { pipeline, results };
};

const prepare = async () => {
  await seedDistributions(local());
  const deps = await makeDeps(local());
  const { pipeline, results } = recordingPipeline();
  return { handler: makeHandler({ ...deps, pipeline }), results, deps };
};

describe('codepipeline-invalidate (Invoke Lambda action)', () => {
  it("invalidates the site's broad paths and reports success with a summary", async () => {
    // Prepare
    const { handler, results } = await prepare();
    // Act
    await handler(job('docs'));
    // Assess
    expect(results).toEqual([
      {
        jobId: 'a5f1c4de-1111-2222-3333-444455556666',
        outcome: 'success',
        text: 'Invalidated docs on 1 distribution(s): 1 batch(es) submitted, 1 path(s) billed.',
      },
    ]);
    expect((await invalidationsOf(local(), DOCS_DIST)).map((i) => i.paths.map((p) => p.path))).toEqual([
      ['/docs/*'],
    ]);
  });

  it('reports a failure, naming the field, for malformed user parameters — and creates nothing', async () => {
    const { handler, results } = await prepare();
    await handler(job('{"site": "docs", "paths": "/a"}'));
    expect(results).toEqual([
      {
        jobId: 'a5f1c4de-1111-2222-3333-444455556666',
        outcome: 'failure',
        text: 'MalformedEventError: malformed codepipeline event: CodePipeline.job.data.actionConfiguration.configuration.UserParameters.paths: Invalid input: expected array, received string',
      },
    ]);
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('reports a failure for an unknown site', async () => {
    const { handler, results } = await prepare();
    await handler(job('shop'));
    expect(results[0]).toMatchObject({
      outcome: 'failure',
      text: expect.stringContaining('unknown site "shop"'),
    });
  });

  it('reports a failure when CloudFront rejects the distribution', async () => {
    // Prepare: no distributions seeded
    const deps = await makeDeps(local());
    const { pipeline, results } = recordingPipeline();
    const handler = makeHandler({ ...deps, pipeline });
    // Act
    await handler(job('docs'));
    // Assess
    expect(results[0]).toMatchObject({
      outcome: 'failure',
      text: expect.stringContaining(
        `SubmissionFailedError: invalidation of deploy a5f1c4de-1111-2222-3333-444455556666 on site docs failed on ${DOCS_DIST} (NoSuchDistributionError`,
      ),
    });
  });

  it('throws for an event without a job id: there is no job to report to', async () => {
    const { handler, results } = await prepare();
    await expect(handler({ 'CodePipeline.job': {} })).rejects.toThrow(
      'malformed codepipeline event: CodePipeline.job.id: expected the job id (a non-empty string)',
    );
    expect(results).toEqual([]);
  });
});
