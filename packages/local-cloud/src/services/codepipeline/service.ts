import { z } from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { awsJsonService, jsonAction } from '../../protocol/aws-json.ts';

/**
 * CodePipeline job workers' side (awsJson1_1, `CodePipeline_20150709.*`): a Lambda
 * invoked by a pipeline action checks its job with GetJobDetails and reports it with
 * PutJobSuccessResult or PutJobFailureResult. Jobs are seeded; results are recorded for tests
 * to read back.
 */

const JOB_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const OPEN_STATUSES = ['Created', 'Queued', 'Dispatched', 'InProgress'] as const;
const FAILURE_TYPES = [
  'JobFailed',
  'ConfigurationError',
  'PermissionError',
  'RevisionOutOfSync',
  'RevisionUnavailable',
  'SystemUnavailable',
] as const;

type JobResult =
  | {
      kind: 'success';
      currentRevision?: unknown;
      continuationToken?: string;
      executionDetails?: unknown;
      outputVariables?: Record<string, string>;
    }
  | { kind: 'failure'; failureDetails: { type: string; message: string; externalExecutionId?: string } };

interface Job {
  id: string;
  region: string;
  pipelineName?: string;
  stageName?: string;
  actionName?: string;
  userParameters?: string;
  status: string;
  result?: JobResult;
  completedAt?: number;
}

const jobStore = (cloud: LocalCloud): Map<string, Job> =>
  cloud.store('codepipeline', () => new Map<string, Job>());

const jobIdSchema = z
  .string({ message: 'Member must not be null' })
  .regex(
    JOB_ID,
    'Member must satisfy regular expression pattern: [0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  );

/**
 * The job `jobId` of this region. botocore model codepipeline 2015-07-09: GetJobDetails and the
 * PutJob*Result operations answer `JobNotFoundException` ("The job was specified in an invalid
 * format or cannot be found.", HTTP 400) for a job that does not exist.
 */
const knownJob = (cloud: LocalCloud, region: string, jobId: string): Job => {
  const job = jobStore(cloud).get(jobId);
  if (!job || job.region !== region) {
    throw new AwsError(
      'JobNotFoundException',
      `The job was specified in an invalid format or cannot be found: ${jobId}`,
    );
  }
  return job;
};

/** The open job `jobId` in this region; a finished job can not take another result. */
const openJob = (cloud: LocalCloud, region: string, jobId: string): Job => {
  const job = knownJob(cloud, region, jobId);
  if (job.result) {
    throw new AwsError(
      'InvalidJobStateException',
      `The job ${jobId} is already ${job.status} and can not be updated.`,
    );
  }
  return job;
};

const PutJobSuccessResultInput = z.object({
  jobId: jobIdSchema,
  currentRevision: z
    .object({
      revision: z.string().min(1),
      changeIdentifier: z.string().min(1),
      created: z.number().optional(),
      revisionSummary: z.string().optional(),
    })
    .optional(),
  continuationToken: z.string().min(1).max(2048).optional(),
  executionDetails: z
    .object({
      summary: z.string().max(2048).optional(),
      externalExecutionId: z.string().max(1500).optional(),
      percentComplete: z.number().int().min(0).max(100).optional(),
    })
    .optional(),
  outputVariables: z.record(z.string(), z.string()).optional(),
});

const PutJobFailureResultInput = z.object({
  jobId: jobIdSchema,
  failureDetails: z.object(
    {
      type: z.enum(FAILURE_TYPES, {
        message: `Member must satisfy enum value set: [${FAILURE_TYPES.join(', ')}]`,
      }),
      message: z.string().min(1).max(5000),
      externalExecutionId: z.string().max(1500).optional(),
    },
    { message: 'Member must not be null' },
  ),
});

/**
 * GetJobDetails (botocore: input `{jobId}`, output `{jobDetails: {id, data, accountId}}`, errors
 * ValidationException and JobNotFoundException). Finished jobs still answer [unconfirmed]: the
 * API reference does not say whether details expire with the job.
 */
const getJobDetails = jsonAction({
  input: z.object({ jobId: jobIdSchema }),
  run: ({ cloud, region, input }) => {
    const job = knownJob(cloud, region, input.jobId);
    return {
      jobDetails: {
        id: job.id,
        accountId: cloud.accountId,
        data: {
          actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' },
          actionConfiguration: {
            configuration: job.userParameters === undefined ? {} : { UserParameters: job.userParameters },
          },
          pipelineContext: {
            ...(job.pipelineName ? { pipelineName: job.pipelineName } : {}),
            ...(job.stageName ? { stage: { name: job.stageName } } : {}),
            ...(job.actionName ? { action: { name: job.actionName } } : {}),
          },
          inputArtifacts: [],
          outputArtifacts: [],
        },
      },
    };
  },
});

const putJobSuccessResult = jsonAction({
  input: PutJobSuccessResultInput,
  run: ({ cloud, region, input }) => {
    const job = openJob(cloud, region, input.jobId);
    if (input.continuationToken !== undefined && input.outputVariables !== undefined) {
      // The API reference allows outputVariables only without a continuation token.
      throw new AwsError(
        'ValidationException',
        'outputVariables can be included only when there is no continuationToken.',
      );
    }
    job.status = 'Succeeded';
    job.completedAt = cloud.now();
    job.result = {
      kind: 'success',
      currentRevision: input.currentRevision,
      continuationToken: input.continuationToken,
      executionDetails: input.executionDetails,
      outputVariables: input.outputVariables,
    };
    return {};
  },
});

const putJobFailureResult = jsonAction({
  input: PutJobFailureResultInput,
  run: ({ cloud, region, input }) => {
    const job = openJob(cloud, region, input.jobId);
    job.status = 'Failed';
    job.completedAt = cloud.now();
    job.result = { kind: 'failure', failureDetails: input.failureDetails };
    return {};
  },
});

const CodePipelineSeedSchema = z
  .object({
    jobs: z.array(
      z
        .object({
          id: z.string().regex(JOB_ID, 'job id must be a UUID, as CodePipeline job ids are'),
          region: z.string().min(1).optional().describe('us-east-1 when absent'),
          pipelineName: z.string().min(1).optional(),
          stageName: z.string().min(1).optional(),
          actionName: z.string().min(1).optional(),
          userParameters: z.string().optional(),
          status: z.enum(OPEN_STATUSES).optional().describe('InProgress when absent'),
        })
        .strict(),
    ),
  })
  .strict();

export const codePipelineService = awsJsonService({
  name: 'codepipeline',
  targetPrefix: 'CodePipeline_20150709',
  actions: {
    GetJobDetails: getJobDetails,
    PutJobSuccessResult: putJobSuccessResult,
    PutJobFailureResult: putJobFailureResult,
  },
  seed(cloud, input) {
    const seed = CodePipelineSeedSchema.parse(input);
    const jobs = jobStore(cloud);
    return {
      jobs: seed.jobs.map((j) => {
        if (jobs.has(j.id)) throw new RangeError(`job ${j.id} already exists`);
        const job: Job = { ...j, region: j.region ?? 'us-east-1', status: j.status ?? 'InProgress' };
        jobs.set(j.id, job);
        return { id: job.id, region: job.region, status: job.status };
      }),
    };
  },
  dump(cloud) {
    return {
      jobs: [...jobStore(cloud).values()].map((j) => ({
        ...j,
        completedAt: j.completedAt === undefined ? undefined : new Date(j.completedAt).toISOString(),
      })),
    };
  },
});
