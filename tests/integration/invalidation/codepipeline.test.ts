import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/codepipeline-invalidate/handler.ts';
import { createPipelineAdapter } from '../../../shared/aws/codepipeline.ts';
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

const JOB_ID = 'a5f1c4de-1111-2222-3333-444455556666';

interface JobDump {
  codepipeline: {
    jobs: {
      id: string;
      status: string;
      result?: {
        kind: string;
        executionDetails?: { summary?: string };
        failureDetails?: { message: string };
      };
    }[];
  };
}

/** What the job ended with in the local CodePipeline: the success summary or the failure message. */
const results = async () => {
  const state = await local().control.state<JobDump>();
  return state.codepipeline.jobs.map((j) => ({
    jobId: j.id,
    outcome: j.result?.kind,
    text: j.result?.executionDetails?.summary ?? j.result?.failureDetails?.message,
  }));
};

const pipeline = () =>
  createPipelineAdapter({ client: new CodePipelineClient({ ...clientConfig(local().url), maxAttempts: 1 }) });

const prepare = async (seedDistributionsToo = true) => {
  if (seedDistributionsToo) await seedDistributions(local());
  await local().control.seed({
    codepipeline: { jobs: [{ id: JOB_ID, pipelineName: 'site', actionName: 'Invalidate' }] },
  });
  const deps = await makeDeps(local());
  return { deps, handler: makeHandler({ ...deps, pipeline: pipeline() }) };
};

describe('codepipeline-invalidate (Invoke Lambda action)', () => {
  it("invalidates the site's broad paths and reports success with a summary", async () => {
    // Prepare
    const { handler } = await prepare();
    // Act
    await handler(job('docs'));
    // Assess
    expect(await results()).toEqual([
      {
        jobId: JOB_ID,
        outcome: 'success',
        text: 'Invalidated docs on 1 distribution(s): 1 batch(es) submitted, 1 path(s) billed.',
      },
    ]);
    expect((await invalidationsOf(local(), DOCS_DIST)).map((i) => i.paths.map((p) => p.path))).toEqual([
      ['/docs/*'],
    ]);
  });

  it('reports a failure, naming the field, for malformed user parameters — and creates nothing', async () => {
    const { handler } = await prepare();
    await handler(job('{"site": "docs", "paths": "/a"}'));
    expect(await results()).toEqual([
      {
        jobId: JOB_ID,
        outcome: 'failure',
        text: 'MalformedEventError: malformed codepipeline event: CodePipeline.job.data.actionConfiguration.configuration.UserParameters.paths: Invalid input: expected array, received string',
      },
    ]);
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('reports a failure for an unknown site', async () => {
    const { handler } = await prepare();
    await handler(job('shop'));
    expect((await results())[0]).toMatchObject({
      outcome: 'failure',
      text: expect.stringContaining('unknown site "shop"'),
    });
  });

  it('reports a failure when CloudFront rejects the distribution', async () => {
    // Prepare: no distributions seeded
    const { handler } = await prepare(false);
    // Act
    await handler(job('docs'));
    // Assess
    expect((await results())[0]).toMatchObject({
      outcome: 'failure',
      text: expect.stringContaining(
        `SubmissionFailedError: invalidation of deploy a5f1c4de-1111-2222-3333-444455556666 on site docs failed on ${DOCS_DIST} (NoSuchDistributionError`,
      ),
    });
  });

  it('reports success when the invalidation is submitted but the bounded wait cannot poll its status', async () => {
    // Prepare: the site waits for completion; every GetInvalidation is refused
    await seedDistributions(local());
    await local().control.seed({
      codepipeline: { jobs: [{ id: JOB_ID, pipelineName: 'site', actionName: 'Invalidate' }] },
    });
    const deps = await makeDeps(local());
    deps.sites = deps.sites.map((s) => ({
      ...s,
      invalidation: { ...s.invalidation, waitForCompletionSeconds: 30 },
    }));
    const handler = makeHandler({ ...deps, pipeline: pipeline() });
    await local().control.addFaults([
      { service: 'cloudfront', action: 'GetInvalidation', code: 'AccessDenied', status: 403 },
    ]);
    // Act
    await handler(job('docs'));
    // Assess
    expect(await results()).toEqual([
      {
        jobId: JOB_ID,
        outcome: 'success',
        text: 'Invalidated docs on 1 distribution(s): 1 batch(es) submitted, 1 path(s) billed.',
      },
    ]);
    expect(await invalidationsOf(local(), DOCS_DIST)).toHaveLength(1);
  });

  // CodePipeline API reference / botocore model: GetJobDetails answers JobNotFoundException for a job
  // that "cannot be found"; PutJobSuccessResult and PutJobFailureResult answer the same for it, so
  // such a job cannot be given a result: it is logged and counted, nothing else.
  it.each([
    ['an id CodePipeline does not know', '0bad0bad-1111-2222-3333-444455556666'],
    ['an id that is not a UUID', 'forged-job'],
  ])('invalidates nothing and reports nothing for %s', async (_name, forged) => {
    // Prepare
    const { handler, deps } = await prepare();
    // Act
    await handler(job('docs', forged));
    // Assess
    expect(await createInvalidationCalls(local())).toBe(0);
    expect(await results()).toEqual([{ jobId: JOB_ID, outcome: undefined, text: undefined }]);
    const calls = (await local().control.counters()).calls.filter((c) => c.service === 'codepipeline');
    expect(calls.map((c) => c.action)).toEqual(['GetJobDetails']);
    expect(deps.metrics.recorded).toContainEqual(expect.objectContaining({ name: 'InvalidationFailures' }));
  });

  it('throws for an event without a job id: there is no job to report to', async () => {
    const { handler } = await prepare();
    await expect(handler({ 'CodePipeline.job': {} })).rejects.toThrow(
      'malformed codepipeline event: CodePipeline.job.id: expected the job id (a non-empty string)',
    );
    expect(await results()).toEqual([{ jobId: JOB_ID, outcome: undefined, text: undefined }]);
  });

  it('throws when the result cannot be reported, so Lambda retries the (idempotent) job', async () => {
    // Prepare
    const { handler } = await prepare();
    await local().control.addFaults([
      { service: 'codepipeline', action: 'PutJobSuccessResult', code: 'AccessDeniedException', status: 400 },
    ]);
    // Act
    const run = handler(job('docs'));
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'AwsCallError', code: 'AccessDeniedException' });
  });
});
