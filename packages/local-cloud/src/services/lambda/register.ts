import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import type { LocalCloud } from '../../cloud.ts';
import { FunctionCodeError, invalidParameter } from './errors.ts';
import { isReservedVariable, retireEnvironments } from './invoke.ts';
import {
  DEFAULT_MEMORY_MB,
  DEFAULT_RUNTIME,
  DEFAULT_TIMEOUT_SECONDS,
  type FunctionCode,
  functionArn,
  type InlineHandler,
  type LambdaFunction,
  lambdaStore,
  MAX_TIMEOUT_SECONDS,
  validateFunctionName,
} from './store.ts';

export interface FunctionSettings {
  name: string;
  /** us-east-1 when absent. */
  region?: string;
  environment?: Record<string, string>;
  timeoutSeconds?: number;
  memorySize?: number;
  runtime?: string;
  role?: string;
  description?: string;
}

const DEFAULT_REGION = 'us-east-1';
const LOCAL_ROLE = (cloud: LocalCloud) => `arn:aws:iam::${cloud.accountId}:role/shipyard-local`;

const validateSettings = (settings: FunctionSettings): void => {
  validateFunctionName(settings.name);
  const timeout = settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_SECONDS)
    throw invalidParameter(
      `Timeout must be an integer between 1 and ${MAX_TIMEOUT_SECONDS} seconds, got ${timeout}`,
    );
  const memory = settings.memorySize ?? DEFAULT_MEMORY_MB;
  if (!Number.isInteger(memory) || memory < 128 || memory > 10_240)
    throw invalidParameter(`MemorySize must be an integer between 128 and 10240 MB, got ${memory}`);
  for (const key of Object.keys(settings.environment ?? {}))
    if (isReservedVariable(key))
      throw invalidParameter(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${key}`,
      );
};

/**
 * Creates or replaces a function. Replacing bumps the generation, so the next invocation
 * starts a fresh environment that imports the new code.
 */
export const putFunction = (
  cloud: LocalCloud,
  settings: FunctionSettings & { handler: string; code: FunctionCode; codeSha256: string; codeSize: number },
): LambdaFunction => {
  validateSettings(settings);
  const store = lambdaStore(cloud);
  const region = settings.region ?? DEFAULT_REGION;
  const arn = functionArn(cloud, region, settings.name);
  const existing = store.functions.get(arn);
  if (existing) retireEnvironments(cloud, arn);
  store.generation += 1;
  const fn: LambdaFunction = {
    name: settings.name,
    arn,
    region,
    runtime: settings.runtime ?? DEFAULT_RUNTIME,
    role: settings.role ?? LOCAL_ROLE(cloud),
    handler: settings.handler,
    description: settings.description ?? '',
    timeoutSeconds: settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    memorySize: settings.memorySize ?? DEFAULT_MEMORY_MB,
    environment: { ...settings.environment },
    code: settings.code,
    codeSha256: settings.codeSha256,
    codeSize: settings.codeSize,
    lastModified: cloud.now(),
    revisionId: randomUUID(),
    generation: store.generation,
    ...(existing?.url ? { url: existing.url } : {}),
  };
  store.functions.set(arn, fn);
  return fn;
};

export const sha256Base64 = (content: Buffer | string): string =>
  createHash('sha256').update(content).digest('base64');

/**
 * Registers a function that runs an in-memory handler in this process (tests that bind
 * handlers directly). `environment` is applied to process.env while it runs, one such
 * invocation at a time.
 *
 * @example registerLocalFunction(cloud, { name: 'snapshot', handler: async (event) => ({ ok: true }) })
 */
export const registerLocalFunction = (
  cloud: LocalCloud,
  options: FunctionSettings & { handler: InlineHandler },
): LambdaFunction => {
  const source = options.handler.toString();
  return putFunction(cloud, {
    ...options,
    handler: 'inline.handler',
    code: { kind: 'inline', handler: options.handler },
    codeSha256: sha256Base64(source),
    codeSize: Buffer.byteLength(source),
  });
};

/**
 * Registers a function from a deployed esbuild bundle: `bundle` is the `.mjs`/`.js` file,
 * `handler` the export name (`handler` by default). It runs in worker threads with its
 * own environment, exactly the file that is deployed.
 *
 * @example registerBundleFunction(cloud, { name: 'invalidate', bundle: '.esbuild/invalidate/handler.mjs', environment: { SITE: 'docs' } })
 */
export const registerBundleFunction = (
  cloud: LocalCloud,
  options: FunctionSettings & { bundle: string; handler?: string; taskRoot?: string },
): LambdaFunction => {
  const file = resolve(options.bundle);
  if (!existsSync(file)) throw new FunctionCodeError(`bundle not found: ${file}`);
  const content = readFileSync(file);
  const root = options.taskRoot ? resolve(options.taskRoot) : dirname(file);
  // Lambda's handler setting is the module path relative to the task root, as in `functions/x/handler.handler`.
  const modulePath = relative(root, join(dirname(file), basename(file, extname(file))));
  return putFunction(cloud, {
    ...options,
    handler: `${modulePath}.${options.handler ?? 'handler'}`,
    // LAMBDA_TASK_ROOT is the package root (where files shipped beside the bundle live, e.g. the
    // config file), which for a serverless package is above the handler's folder.
    code: { kind: 'bundle', root },
    codeSha256: sha256Base64(content),
    codeSize: content.length,
  });
};
