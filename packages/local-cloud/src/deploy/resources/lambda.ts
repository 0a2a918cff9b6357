import { join } from 'node:path';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  ListEventSourceMappingsCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { extractFunctionCode } from '../bundle.ts';
import {
  created,
  type DeployContext,
  errorName,
  optionalString,
  type ResourceHandler,
  stringProp,
} from '../context.ts';
import type { PlannedResource } from '../plan.ts';

const numberProp = (resource: PlannedResource, name: string): number | undefined => {
  const value = resource.properties[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`${resource.logicalId}: ${name} must be a number`);
  return n;
};

const environmentOf = (resource: PlannedResource): Record<string, string> => {
  const variables = (resource.properties.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables;
  return Object.fromEntries(
    Object.entries(variables ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
};

/** The function's package from the artifact folder, unpacked and registered with its configuration. */
export const deployFunction: ResourceHandler = async (ctx: DeployContext, resource) => {
  const name = resource.physical.ref;
  const code = resource.properties.Code as { S3Key?: unknown; ZipFile?: unknown } | undefined;
  if (typeof code?.S3Key !== 'string')
    return {
      status: 'unsupported',
      reason: 'only Code.S3Key packages (what serverless package writes) are deployed locally',
    };
  const handler = stringProp(resource, 'Handler');
  // One folder per local cloud (its port): two clouds on one machine (parallel tests, a
  // rehearsal beside `npm run local`) never overwrite each other's function code.
  const dir = join(
    ctx.workDir,
    '.shipyard-local',
    `${ctx.stage}-${new URL(ctx.endpoint).port || '80'}`,
    name,
  );
  const { bundle, exportName } = extractFunctionCode(ctx.packageDir, code.S3Key, handler, dir);
  const timeout = numberProp(resource, 'Timeout');
  const memory = numberProp(resource, 'MemorySize');
  await ctx.clients.control.registerFunction({
    name,
    region: ctx.region,
    bundle,
    taskRoot: dir,
    handler: exportName,
    environment: environmentOf(resource),
    ...(optionalString(resource, 'Role') !== undefined ? { role: optionalString(resource, 'Role') } : {}),
    ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    ...(memory !== undefined ? { memorySize: memory } : {}),
  });
  return created(String(resource.physical.attributes.Arn));
};

export const deployFunctionUrl: ResourceHandler = async (ctx, resource) => {
  const target = stringProp(resource, 'TargetFunctionArn');
  const authType = stringProp(resource, 'AuthType') as 'NONE' | 'AWS_IAM';
  try {
    const out = await ctx.clients.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: target, AuthType: authType }),
    );
    return created(out.FunctionUrl, `Function URL ${out.FunctionUrl}`);
  } catch (error) {
    // A re-deploy keeps the URL a function already has (re-registering keeps it too).
    if (errorName(error) !== 'ResourceConflictException') throw error;
    const out = await ctx.clients.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: target }));
    return created(out.FunctionUrl, `Function URL ${out.FunctionUrl}`);
  }
};

export const deployEventSourceMapping: ResourceHandler = async (ctx, resource) => {
  const source = stringProp(resource, 'EventSourceArn');
  if (!source.startsWith('arn:aws:sqs:'))
    return { status: 'unsupported', reason: 'the local cloud maps SQS event sources only' };
  const fn = stringProp(resource, 'FunctionName');
  const settings = {
    Enabled:
      resource.properties.Enabled === undefined
        ? true
        : resource.properties.Enabled === true || resource.properties.Enabled === 'true',
    BatchSize: numberProp(resource, 'BatchSize'),
    MaximumBatchingWindowInSeconds: numberProp(resource, 'MaximumBatchingWindowInSeconds'),
    FunctionResponseTypes: resource.properties.FunctionResponseTypes as
      | 'ReportBatchItemFailures'[]
      | undefined,
  };
  const { EventSourceMappings: existing = [] } = await ctx.clients.lambda.send(
    new ListEventSourceMappingsCommand({ FunctionName: fn, EventSourceArn: source }),
  );
  const uuid = existing[0]?.UUID;
  if (uuid) {
    await ctx.clients.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, ...settings }));
    return created(uuid);
  }
  const out = await ctx.clients.lambda.send(
    new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: source, ...settings }),
  );
  return created(out.UUID);
};

export const deployEventInvokeConfig: ResourceHandler = async (ctx, resource) => {
  const destinations = resource.properties.DestinationConfig as
    | { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } }
    | undefined;
  const qualifier = optionalString(resource, 'Qualifier');
  await ctx.clients.lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: stringProp(resource, 'FunctionName'),
      ...(qualifier ? { Qualifier: qualifier } : {}),
      MaximumRetryAttempts: numberProp(resource, 'MaximumRetryAttempts'),
      MaximumEventAgeInSeconds: numberProp(resource, 'MaximumEventAgeInSeconds'),
      ...(destinations ? { DestinationConfig: destinations } : {}),
    }),
  );
  const onFailure = destinations?.OnFailure?.Destination;
  return created(undefined, onFailure ? `on failure -> ${onFailure}` : undefined);
};
