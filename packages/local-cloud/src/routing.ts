import type { IncomingHttpHeaders } from 'node:http';

/** Which service a request is for, from the X-Amz-Target prefix of JSON protocols. */
const JSON_TARGET_PREFIXES: Record<string, string> = {
  AmazonSSM: 'ssm',
  CodePipeline_20150709: 'codepipeline',
  AWSEvents: 'events',
  AWSStepFunctions: 'states',
  AmazonSQS: 'sqs',
  AWSLambda: 'lambda',
  AmazonEventBridgeScheduler: 'scheduler',
  secretsmanager: 'secretsmanager',
  GlobalAccelerator_V20180706: 'globalaccelerator',
  GraniteServiceVersion20100801: 'monitoring',
  TrentService: 'kms',
};

export interface CredentialScope {
  /** The signing access key id (who calls: a local Lambda's role session, or anyone else). */
  accessKeyId?: string;
  region?: string;
  service?: string;
}

/** Region and service from the SigV4 credential scope (header or presigned query). */
export const credentialScope = (headers: IncomingHttpHeaders, query: URLSearchParams): CredentialScope => {
  const auth = typeof headers.authorization === 'string' ? headers.authorization : '';
  const credential = /Credential=([^,\s]+)/.exec(auth)?.[1] ?? query.get('X-Amz-Credential') ?? '';
  const parts = credential.split('/');
  if (parts.length < 5) return {};
  return { accessKeyId: parts[0], region: parts[2], service: parts[3] };
};

export const serviceForRequest = (
  headers: IncomingHttpHeaders,
  rawPath: string,
  scope: CredentialScope,
  body: Buffer,
): string => {
  const target = typeof headers['x-amz-target'] === 'string' ? headers['x-amz-target'] : undefined;
  if (target) {
    const prefix = target.split('.')[0] ?? '';
    const service = JSON_TARGET_PREFIXES[prefix];
    if (service) return service;
  }
  // Function URLs are plain HTTP (a webhook is not signed), served under one local path.
  if (rawPath.startsWith('/_functionurl/')) return 'lambda';
  if (scope.service) return scope.service;
  if (rawPath.startsWith('/2020-05-31/')) return 'cloudfront';
  if (rawPath === '/' && /(^|&)Action=/.test(body.toString('utf8'))) return 'ec2';
  return 's3';
};
