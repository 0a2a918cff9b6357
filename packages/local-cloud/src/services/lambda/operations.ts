import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import { decodePageToken, pageOf } from '../../protocol/page-token.ts';
import { jsonResponse, parseJsonBody } from '../../protocol/rest-json.ts';
import type { LocalRequest, LocalResponse } from '../../service.ts';
import type { LambdaCall } from './call.ts';
import {
  FunctionCodeError,
  functionExists,
  functionUrlNotFound,
  invalidParameter,
  requestTooLarge,
  urlConfigExists,
} from './errors.ts';
import {
  functionUrlEvent,
  functionUrlFor,
  functionUrlResponse,
  parseFunctionUrlPath,
} from './function-url.ts';
import { invokeAsync, invokeFunction, retireEnvironments } from './invoke.ts';
import { putFunction, sha256Base64 } from './register.ts';
import {
  findFunction,
  functionArn,
  type LambdaFunction,
  lambdaStore,
  validateFunctionName,
} from './store.ts';
import { extractZip } from './zip.ts';

const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 256 * 1024;

/** Lambda's timestamps: ISO 8601 with a `+0000` offset and milliseconds. */
const lambdaTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export const configurationOf = (fn: LambdaFunction) => ({
  FunctionName: fn.name,
  FunctionArn: fn.arn,
  Runtime: fn.runtime,
  Role: fn.role,
  Handler: fn.handler,
  CodeSize: fn.codeSize,
  Description: fn.description,
  Timeout: fn.timeoutSeconds,
  MemorySize: fn.memorySize,
  LastModified: lambdaTime(fn.lastModified),
  CodeSha256: fn.codeSha256,
  Version: '$LATEST',
  Environment: { Variables: fn.environment },
  TracingConfig: { Mode: 'PassThrough' },
  RevisionId: fn.revisionId,
  State: 'Active',
  LastUpdateStatus: 'Successful',
  PackageType: 'Zip',
  Architectures: ['x86_64'],
  EphemeralStorage: { Size: 512 },
});

const badRequest = (detail: string) =>
  new AwsError('InvalidRequestContentException', `Could not parse request body into json: ${detail}`);

const parseBody = <T>(schema: z.ZodType<T>, req: LocalRequest): T => {
  const parsed = schema.safeParse(parseJsonBody(req.body, badRequest));
  if (!parsed.success)
    throw invalidParameter(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return parsed.data;
};

const Environment = z.object({ Variables: z.record(z.string(), z.string()).optional() }).optional();

const CreateFunctionBody = z.object({
  FunctionName: z.string(),
  Runtime: z.string().optional(),
  Role: z.string(),
  Handler: z.string().optional(),
  Description: z.string().optional(),
  Timeout: z.number().int().optional(),
  MemorySize: z.number().int().optional(),
  Environment,
  Code: z.object({
    ZipFile: z.string().optional(),
    S3Bucket: z.string().optional(),
    S3Key: z.string().optional(),
    ImageUri: z.string().optional(),
  }),
});

/** Unpacks an uploaded package into a directory of its own. */
const unpack = (zipBase64: string): { root: string; sha: string; size: number } => {
  const zip = Buffer.from(zipBase64, 'base64');
  const root = mkdtempSync(join(tmpdir(), 'shipyard-lambda-'));
  try {
    extractZip(zip, root);
  } catch (error) {
    if (error instanceof FunctionCodeError) throw invalidParameter(error.message);
    throw error;
  }
  return { root, sha: sha256Base64(zip), size: zip.length };
};

const codeOnlyFromZip = (code: { ZipFile?: string | undefined }) => {
  if (!code.ZipFile)
    throw invalidParameter(
      'The local cloud runs function code from Code.ZipFile (or a bundle registered through POST /_shipyard/lambda/functions); S3 and image code are not supported',
    );
  return unpack(code.ZipFile);
};

export const createFunction = ({ cloud, req }: LambdaCall): LocalResponse => {
  const body = parseBody(CreateFunctionBody, req);
  const name = validateFunctionName(body.FunctionName);
  if (lambdaStore(cloud).functions.has(functionArn(cloud, req.region, name))) throw functionExists(name);
  if (!body.Handler) throw invalidParameter('Handler is required for a Zip package');
  const unpacked = codeOnlyFromZip(body.Code);
  const fn = putFunction(cloud, {
    name,
    region: req.region,
    handler: body.Handler,
    role: body.Role,
    ...(body.Runtime ? { runtime: body.Runtime } : {}),
    ...(body.Description !== undefined ? { description: body.Description } : {}),
    ...(body.Timeout !== undefined ? { timeoutSeconds: body.Timeout } : {}),
    ...(body.MemorySize !== undefined ? { memorySize: body.MemorySize } : {}),
    environment: body.Environment?.Variables ?? {},
    code: { kind: 'bundle', root: unpacked.root },
    codeSha256: unpacked.sha,
    codeSize: unpacked.size,
  });
  return jsonResponse(201, configurationOf(fn));
};

export const getFunction = ({ cloud, req, name }: LambdaCall): LocalResponse => {
  const fn = findFunction(cloud, req.region, name, req.query.get('Qualifier') ?? undefined);
  return jsonResponse(200, {
    Configuration: configurationOf(fn),
    Code: { RepositoryType: 'S3', Location: fn.code.kind === 'bundle' ? `file://${fn.code.root}` : 'inline' },
  });
};

export const getFunctionConfiguration = ({ cloud, req, name }: LambdaCall): LocalResponse =>
  jsonResponse(
    200,
    configurationOf(findFunction(cloud, req.region, name, req.query.get('Qualifier') ?? undefined)),
  );

export const listFunctions = ({ cloud, req }: LambdaCall): LocalResponse => {
  const all = [...lambdaStore(cloud).functions.values()]
    .filter((fn) => fn.region === req.region)
    .sort((a, b) => a.name.localeCompare(b.name));
  const maxItems = Number(req.query.get('MaxItems') ?? 50);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000)
    throw invalidParameter('MaxItems must be between 1 and 10000');
  const offset = decodePageToken('lambda:functions', req.query.get('Marker') ?? undefined, () =>
    invalidParameter('Invalid marker'),
  );
  const { page, nextToken } = pageOf(all, 'lambda:functions', offset, maxItems);
  return jsonResponse(200, {
    Functions: page.map(configurationOf),
    ...(nextToken ? { NextMarker: nextToken } : {}),
  });
};

export const deleteFunction = ({ cloud, req, name }: LambdaCall): LocalResponse => {
  const fn = findFunction(cloud, req.region, name, req.query.get('Qualifier') ?? undefined);
  retireEnvironments(cloud, fn.arn);
  lambdaStore(cloud).functions.delete(fn.arn);
  return { status: 204 };
};

const UpdateConfigurationBody = z.object({
  Role: z.string().optional(),
  Handler: z.string().optional(),
  Description: z.string().optional(),
  Timeout: z.number().int().optional(),
  MemorySize: z.number().int().optional(),
  Runtime: z.string().optional(),
  Environment,
});

export const updateFunctionConfiguration = ({ cloud, req, name }: LambdaCall): LocalResponse => {
  const fn = findFunction(cloud, req.region, name);
  const body = parseBody(UpdateConfigurationBody, req);
  const updated = putFunction(cloud, {
    name: fn.name,
    region: fn.region,
    handler: body.Handler ?? fn.handler,
    role: body.Role ?? fn.role,
    runtime: body.Runtime ?? fn.runtime,
    description: body.Description ?? fn.description,
    timeoutSeconds: body.Timeout ?? fn.timeoutSeconds,
    memorySize: body.MemorySize ?? fn.memorySize,
    environment: body.Environment ? (body.Environment.Variables ?? {}) : fn.environment,
    code: fn.code,
    codeSha256: fn.codeSha256,
    codeSize: fn.codeSize,
  });
  return jsonResponse(200, configurationOf(updated));
};

const UpdateCodeBody = z.object({
  ZipFile: z.string().optional(),
  S3Bucket: z.string().optional(),
  S3Key: z.string().optional(),
});

export const updateFunctionCode = ({ cloud, req, name }: LambdaCall): LocalResponse => {
  const fn = findFunction(cloud, req.region, name);
  const unpacked = codeOnlyFromZip(parseBody(UpdateCodeBody, req));
  const updated = putFunction(cloud, {
    ...fn,
    timeoutSeconds: fn.timeoutSeconds,
    code: { kind: 'bundle', root: unpacked.root },
    codeSha256: unpacked.sha,
    codeSize: unpacked.size,
  });
  return jsonResponse(200, configurationOf(updated));
};

const parsePayload = (body: Buffer): unknown => {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError(
      'InvalidRequestContentException',
      'Could not parse request body into json: Unexpected character',
    );
  }
};

const header = (req: LocalRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export const invoke = async ({ cloud, req, name }: LambdaCall): Promise<LocalResponse> => {
  const fn = findFunction(cloud, req.region, name, req.query.get('Qualifier') ?? undefined);
  const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (!['RequestResponse', 'Event', 'DryRun'].includes(type))
    throw invalidParameter(`Unsupported invocation type: ${type}`);
  const limit = type === 'Event' ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
  if (req.body.length > limit) throw requestTooLarge(req.body.length, limit);
  const event = parsePayload(req.body);
  if (type === 'DryRun') return { status: 204, headers: { 'x-amzn-requestid': req.requestId } };
  if (type === 'Event') {
    const requestId = invokeAsync(cloud, fn, event);
    return { status: 202, headers: { 'x-amzn-requestid': requestId } };
  }
  const outcome = await invokeFunction(cloud, fn, event, req.requestId);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': outcome.requestId,
    'x-amz-executed-version': '$LATEST',
  };
  if (outcome.functionError) headers['x-amz-function-error'] = outcome.functionError;
  if (header(req, 'x-amz-log-type') === 'Tail')
    headers['x-amz-log-result'] = Buffer.from(
      `START RequestId: ${outcome.requestId} Version: $LATEST\nEND RequestId: ${outcome.requestId}\n`,
    ).toString('base64');
  return { status: 200, headers, body: outcome.payload };
};

const UrlConfigBody = z.object({
  AuthType: z.enum(['NONE', 'AWS_IAM']),
  Cors: z.unknown().optional(),
  InvokeMode: z.enum(['BUFFERED', 'RESPONSE_STREAM']).optional(),
});

const urlConfigView = (fn: LambdaFunction) => {
  const url = fn.url;
  if (!url) throw functionUrlNotFound(fn.name);
  return {
    FunctionUrl: url.url,
    FunctionArn: fn.arn,
    AuthType: url.authType,
    ...(url.cors ? { Cors: url.cors } : {}),
    CreationTime: new Date(url.creationTime).toISOString(),
    LastModifiedTime: new Date(url.lastModifiedTime).toISOString(),
    InvokeMode: url.invokeMode,
  };
};

export const createFunctionUrlConfig = ({ cloud, req, name }: LambdaCall): LocalResponse => {
  const fn = findFunction(cloud, req.region, name, req.query.get('Qualifier') ?? undefined);
  if (fn.url) throw urlConfigExists(fn.arn);
  const body = parseBody(UrlConfigBody, req);
  const endpoint = cloud.endpointUrl ?? `http://${req.host}`;
  fn.url = {
    url: functionUrlFor(endpoint, fn),
    authType: body.AuthType,
    ...(body.Cors !== undefined ? { cors: body.Cors } : {}),
    invokeMode: body.InvokeMode ?? 'BUFFERED',
    creationTime: cloud.now(),
    lastModifiedTime: cloud.now(),
  };
  const { LastModifiedTime: _ignored, ...created } = urlConfigView(fn);
  return jsonResponse(201, created);
};

export const getFunctionUrlConfig = ({ cloud, req, name }: LambdaCall): LocalResponse =>
  jsonResponse(200, urlConfigView(findFunction(cloud, req.region, name)));

export const deleteFunctionUrlConfig = ({ cloud, req, name }: LambdaCall): LocalResponse => {
  const fn = findFunction(cloud, req.region, name);
  if (!fn.url) throw functionUrlNotFound(fn.name);
  delete fn.url;
  return { status: 204 };
};

/** An HTTP request to a Function URL: the 2.0 event in, the mapped HTTP response out. */
export const invokeFunctionUrl = async ({ cloud, req }: LambdaCall): Promise<LocalResponse> => {
  const target = parseFunctionUrlPath(req.rawPath);
  const notFound: LocalResponse = {
    status: 404,
    headers: { 'content-type': 'application/json' },
    body: '{"Message":null}',
  };
  if (!target) return notFound;
  const fn = lambdaStore(cloud).functions.get(functionArn(cloud, target.region, target.name));
  if (!fn?.url) return notFound;
  // Locally there is no IAM to check a signature against: AWS_IAM URLs only demand one.
  if (fn.url.authType === 'AWS_IAM' && !req.headers.authorization)
    return { status: 403, headers: { 'content-type': 'application/json' }, body: '{"Message":"Forbidden"}' };
  const outcome = await invokeFunction(cloud, fn, functionUrlEvent(cloud, req, target.path), req.requestId);
  return functionUrlResponse(outcome);
};
