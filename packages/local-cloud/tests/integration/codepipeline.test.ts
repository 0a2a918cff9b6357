import {
  CodePipelineClient,
  GetJobDetailsCommand,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const JOB = '11111111-2222-4333-8444-555555555555';
const OTHER = '99999999-2222-4333-8444-555555555555';

const setup = async () => {
  await local().control.seed({
    codepipeline: {
      jobs: [
        {
          id: JOB,
          pipelineName: 'site',
          stageName: 'Deploy',
          actionName: 'Invalidate',
          userParameters: '{"d":"E1"}',
        },
        { id: OTHER, region: 'eu-west-1' },
      ],
    },
  });
  return new CodePipelineClient({ ...clientConfig(local().url), maxAttempts: 1 });
};

interface JobsDump {
  codepipeline: { jobs: { id: string; status: string; result?: Record<string, unknown> }[] };
}

describe('CodePipeline job results (awsJson1_1)', () => {
  it('PutJobSuccessResult records the result for tests to read back', async () => {
    // Prepare
    const cp = await setup();
    // Act
    await cp.send(
      new PutJobSuccessResultCommand({
        jobId: JOB,
        executionDetails: {
          summary: 'invalidated 3 paths',
          externalExecutionId: 'I123',
          percentComplete: 100,
        },
        outputVariables: { invalidationId: 'I123' },
      }),
    );
    // Assess
    const state = await local().control.state<JobsDump>();
    expect(state.codepipeline.jobs.find((j) => j.id === JOB)).toMatchObject({
      status: 'Succeeded',
      pipelineName: 'site',
      result: {
        kind: 'success',
        executionDetails: {
          summary: 'invalidated 3 paths',
          externalExecutionId: 'I123',
          percentComplete: 100,
        },
        outputVariables: { invalidationId: 'I123' },
      },
    });
  });

  it('PutJobFailureResult records the failure details', async () => {
    const cp = await setup();
    await cp.send(
      new PutJobFailureResultCommand({
        jobId: JOB,
        failureDetails: { type: 'JobFailed', message: 'TooManyInvalidationsInProgress' },
      }),
    );
    const state = await local().control.state<JobsDump>();
    expect(state.codepipeline.jobs.find((j) => j.id === JOB)).toMatchObject({
      status: 'Failed',
      result: {
        kind: 'failure',
        failureDetails: { type: 'JobFailed', message: 'TooManyInvalidationsInProgress' },
      },
    });
  });

  it('an unknown job (or one of another region) → JobNotFoundException', async () => {
    const cp = await setup();
    await expect(
      cp.send(new PutJobSuccessResultCommand({ jobId: '00000000-0000-4000-8000-000000000000' })),
    ).rejects.toMatchObject({
      name: 'JobNotFoundException',
    });
    await expect(cp.send(new PutJobSuccessResultCommand({ jobId: OTHER }))).rejects.toMatchObject({
      name: 'JobNotFoundException',
    });
  });

  // botocore model codepipeline 2015-07-09, GetJobDetails: output jobDetails {id, data, accountId};
  // errors ValidationException, JobNotFoundException ("cannot be found").
  it('GetJobDetails returns the seeded job; an unknown job (or one of another region) → JobNotFoundException', async () => {
    // Prepare
    const cp = await setup();
    // Act
    const { jobDetails } = await cp.send(new GetJobDetailsCommand({ jobId: JOB }));
    // Assess
    expect(jobDetails).toMatchObject({
      id: JOB,
      accountId: '123456789012',
      data: {
        actionConfiguration: { configuration: { UserParameters: '{"d":"E1"}' } },
        pipelineContext: { pipelineName: 'site', stage: { name: 'Deploy' }, action: { name: 'Invalidate' } },
      },
    });
    await expect(
      cp.send(new GetJobDetailsCommand({ jobId: '00000000-0000-4000-8000-000000000000' })),
    ).rejects.toMatchObject({ name: 'JobNotFoundException', $metadata: { httpStatusCode: 400 } });
    await expect(cp.send(new GetJobDetailsCommand({ jobId: OTHER }))).rejects.toMatchObject({
      name: 'JobNotFoundException',
    });
    await expect(cp.send(new GetJobDetailsCommand({ jobId: 'not-a-job' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('a job already completed → InvalidJobStateException', async () => {
    const cp = await setup();
    await cp.send(new PutJobSuccessResultCommand({ jobId: JOB }));
    await expect(
      cp.send(
        new PutJobFailureResultCommand({
          jobId: JOB,
          failureDetails: { type: 'JobFailed', message: 'late' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidJobStateException' });
    await expect(cp.send(new PutJobSuccessResultCommand({ jobId: JOB }))).rejects.toMatchObject({
      name: 'InvalidJobStateException',
    });
  });

  it('a malformed job id or failure type → ValidationException', async () => {
    const cp = await setup();
    await expect(cp.send(new PutJobSuccessResultCommand({ jobId: 'job-1' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      cp.send(
        new PutJobFailureResultCommand({
          jobId: JOB,
          failureDetails: { type: 'Oops' as never, message: 'x' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('rejects a seeded job whose id is not a UUID, naming the rule', async () => {
    await expect(local().control.seed({ codepipeline: { jobs: [{ id: 'job-1' }] } })).rejects.toThrow(/UUID/);
  });
});
