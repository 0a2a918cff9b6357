import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { type ClientOptions, regionalClientConfig } from './clients.ts';
import { toAwsCallError } from './errors.ts';

/** CodePipeline caps a failure message at 5,000 characters. */
const MAX_FAILURE_MESSAGE = 5000;

export interface PipelinePort {
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
