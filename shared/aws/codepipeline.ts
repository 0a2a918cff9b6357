import {
  CodePipelineClient,
  GetJobDetailsCommand,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { type ClientOptions, regionalClientConfig } from './clients.ts';
import { JobNotFoundError, sdkErrorCode, toAwsCallError } from './errors.ts';

/** CodePipeline caps a failure message at 5,000 characters. */
const MAX_FAILURE_MESSAGE = 5000;

export interface PipelinePort {
  /** Checks that CodePipeline knows the job (GetJobDetails); throws JobNotFoundError when it does not. */
  assertJobExists(jobId: string): Promise<void>;
  succeed(jobId: string, summary: string): Promise<void>;
  fail(jobId: string, message: string, externalExecutionId?: string): Promise<void>;
}

export interface PipelineAdapterOptions extends ClientOptions {
  client?: CodePipelineClient;
}

export const createPipelineAdapter = (options: PipelineAdapterOptions = {}): PipelinePort => {
  const { client: injected, ...config } = options;
  const client = injected ?? new CodePipelineClient(regionalClientConfig(config));
  return {
    async assertJobExists(jobId) {
      try {
        await client.send(new GetJobDetailsCommand({ jobId }));
      } catch (error) {
        // A job id that is not a UUID fails the API's pattern (ValidationException): no such job either.
        const code = sdkErrorCode(error);
        if (code === 'JobNotFoundException' || code === 'ValidationException')
          throw new JobNotFoundError(jobId, { cause: error });
        throw toAwsCallError('codepipeline', 'GetJobDetails', error);
      }
    },
    async succeed(jobId, summary) {
      try {
        await client.send(
          new PutJobSuccessResultCommand({ jobId, executionDetails: { summary: summary.slice(0, 2048) } }),
        );
      } catch (error) {
        throw toAwsCallError('codepipeline', 'PutJobSuccessResult', error);
      }
    },
    async fail(jobId, message, externalExecutionId) {
      try {
        await client.send(
          new PutJobFailureResultCommand({
            jobId,
            failureDetails: {
              type: 'JobFailed',
              message: message.slice(0, MAX_FAILURE_MESSAGE),
              ...(externalExecutionId ? { externalExecutionId } : {}),
            },
          }),
        );
      } catch (error) {
        throw toAwsCallError('codepipeline', 'PutJobFailureResult', error);
      }
    },
  };
};
