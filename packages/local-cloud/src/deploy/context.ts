import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ControlClient } from '../control-client.ts';
import type { PlannedResource } from './plan.ts';
import type { ResourceStatus } from './report.ts';
import { snsCall } from './sns-client.ts';

/** The clients the deployer talks to the local cloud with: the real SDK clients, over HTTP. */
export interface DeployClients {
  lambda: LambdaClient;
  sqs: SQSClient;
  sfn: SFNClient;
  scheduler: SchedulerClient;
  events: EventBridgeClient;
  s3: S3Client;
  ssm: SSMClient;
  control: ControlClient;
  sns: (action: string, params: Record<string, string>) => Promise<Record<string, unknown>>;
}

export const createDeployClients = (endpoint: string, region: string): DeployClients => {
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  };
  return {
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
    sfn: new SFNClient(config),
    scheduler: new SchedulerClient(config),
    events: new EventBridgeClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    ssm: new SSMClient(config),
    control: new ControlClient(endpoint),
    sns: (action, params) => snsCall(endpoint, region, action, params),
  };
};

export interface DeployContext {
  clients: DeployClients;
  endpoint: string;
  region: string;
  stage: string;
  packageDir: string;
  /** Functions are unpacked under `<workDir>/.shipyard-local/<stage>/<function>/`. */
  workDir: string;
}

export interface HandlerResult {
  status: Exclude<ResourceStatus, 'skipped' | 'failed'>;
  reason?: string;
  physicalId?: string;
}

export type ResourceHandler = (ctx: DeployContext, resource: PlannedResource) => Promise<HandlerResult>;

export const created = (physicalId?: string, reason?: string): HandlerResult => ({
  status: 'created',
  ...(physicalId !== undefined ? { physicalId } : {}),
  ...(reason !== undefined ? { reason } : {}),
});

/** Reads a string property; a missing or non-string one is a template problem. */
export const stringProp = (resource: PlannedResource, name: string): string => {
  const value = resource.properties[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`${resource.logicalId}: property ${name} must be a non-empty string`);
  return value;
};

export const optionalString = (resource: PlannedResource, name: string): string | undefined => {
  const value = resource.properties[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
};

export const errorName = (error: unknown): string => (error as { name?: string } | undefined)?.name ?? '';
