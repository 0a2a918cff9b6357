import type { LambdaContext } from '../../shared/lambda/handler.ts';

/** The context Lambda passes a function (the fields Powertools reads), one request id per call. */
export const lambdaContext = (requestId: string, functionName = 'shipyard-dev-test'): LambdaContext => {
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/12/02/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
  };
  return context;
};
