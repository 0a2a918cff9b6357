import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';

export const LOCAL_ROLE_ARN = 'arn:aws:iam::123456789012:role/shipyard-local';

/** Polls DescribeExecution until the execution leaves RUNNING (bounded, never a timing assertion). */
export const waitForExecution = async (
  sfn: SFNClient,
  executionArn: string,
  { polls = 400, everyMs = 25 } = {},
): Promise<DescribeExecutionCommandOutput> => {
  for (let i = 0; i < polls; i++) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`execution still RUNNING after ${polls} polls: ${executionArn}`);
};

export const lambdaArn = (name: string, region = 'us-east-1') =>
  `arn:aws:lambda:${region}:123456789012:function:${name}`;
