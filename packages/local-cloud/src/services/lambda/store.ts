import type { LocalCloud } from '../../cloud.ts';
import { functionNotFound, invalidParameter } from './errors.ts';
import type { WorkerPool } from './worker-pool.ts';

/** What a Lambda handler receives as its second argument (the documented subset). */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export type InlineHandler = (event: unknown, context: LambdaContext) => unknown;

/**
 * Where a function's code lives: a directory holding the deployed bundle (resolved with
 * the function's `Handler` string, as the Node.js runtime does), or an in-memory handler
 * bound by a test.
 */
export type FunctionCode = { kind: 'bundle'; root: string } | { kind: 'inline'; handler: InlineHandler };

interface FunctionUrlConfig {
  url: string;
  authType: 'NONE' | 'AWS_IAM';
  cors?: unknown;
  invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  creationTime: number;
  lastModifiedTime: number;
}

export interface LambdaFunction {
  name: string;
  arn: string;
  region: string;
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeoutSeconds: number;
  memorySize: number;
  environment: Record<string, string>;
  code: FunctionCode;
  codeSha256: string;
  codeSize: number;
  lastModified: number;
  revisionId: string;
  /** Bumped on every code or configuration change so warm environments are replaced. */
  generation: number;
  url?: FunctionUrlConfig;
}

/** An `Event` invocation and how it ended (inspectable through the control API's state). */
interface AsyncInvocation {
  requestId: string;
  functionArn: string;
  queuedAt: number;
  status: 'QUEUED' | 'SUCCEEDED' | 'FAILED';
  error?: string;
}

export interface LambdaStore {
  functions: Map<string, LambdaFunction>;
  asyncInvocations: AsyncInvocation[];
  /** Waiters woken whenever an `Event` invocation ends (see async-settle.ts). */
  asyncWaiters: Set<() => void>;
  /** Warm environments by `arn#generation`. */
  pools: Map<string, WorkerPool>;
  generation: number;
  /** Captured output lines per function name (when the cloud captures function logs). */
  logs: Map<string, string[]>;
}

export const lambdaStore = (cloud: LocalCloud): LambdaStore =>
  cloud.store('lambda', () => {
    const store: LambdaStore = {
      functions: new Map(),
      asyncInvocations: [],
      asyncWaiters: new Set(),
      pools: new Map(),
      generation: 0,
      logs: new Map(),
    };
    // Warm workers hold threads (and, when logs are captured, piped streams that keep the
    // process alive): stop them when this state is dropped.
    cloud.onDispose(() => {
      for (const pool of store.pools.values()) pool.close();
      store.pools.clear();
    });
    return store;
  });

/** Lines kept per function: enough to read a rehearsal back, bounded for long runs. */
export const MAX_LOG_LINES_PER_FUNCTION = 20_000;

/** Captured log lines of every bundle function (empty unless the cloud captures function logs). */
export const functionLogs = (cloud: LocalCloud): Record<string, string[]> =>
  Object.fromEntries(lambdaStore(cloud).logs);

export const DEFAULT_TIMEOUT_SECONDS = 3;
export const MAX_TIMEOUT_SECONDS = 900;
export const DEFAULT_MEMORY_MB = 128;
export const DEFAULT_RUNTIME = 'nodejs22.x';

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ARN =
  /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]+))?$/;
const PARTIAL = /^(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]+))?$/;

export const functionArn = (cloud: LocalCloud, region: string, name: string): string =>
  `arn:aws:lambda:${region}:${cloud.accountId}:function:${name}`;

export const validateFunctionName = (name: unknown): string => {
  if (typeof name !== 'string' || !NAME.test(name))
    throw invalidParameter(
      `1 validation error detected: Value '${String(name)}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ (1-64 characters)`,
    );
  return name;
};

/** The region and name a `FunctionName` parameter designates (name, full or partial ARN). */
const parseFunctionRef = (
  cloud: LocalCloud,
  region: string,
  ref: string,
): { region: string; name: string; qualifier?: string } => {
  const full = ARN.exec(ref);
  if (full) {
    const [, arnRegion = region, , name = '', qualifier] = full;
    return qualifier ? { region: arnRegion, name, qualifier } : { region: arnRegion, name };
  }
  const partial = PARTIAL.exec(ref);
  if (partial) {
    const [, , name = '', qualifier] = partial;
    return qualifier ? { region, name, qualifier } : { region, name };
  }
  const [name = '', qualifier] = ref.split(':');
  if (!NAME.test(name)) throw functionNotFound(functionArn(cloud, region, ref));
  return qualifier ? { region, name, qualifier } : { region, name };
};

/**
 * Looks a function up by name or ARN. Only `$LATEST` exists locally: versions and aliases
 * are not modelled, so any other qualifier is "not found", as it would be on AWS for a
 * version that was never published.
 */
export const findFunction = (
  cloud: LocalCloud,
  region: string,
  ref: string,
  qualifier?: string,
): LambdaFunction => {
  const parsed = parseFunctionRef(cloud, region, ref);
  const wanted = qualifier ?? parsed.qualifier;
  const arn = functionArn(cloud, parsed.region, parsed.name);
  const fn = lambdaStore(cloud).functions.get(arn);
  if (!fn || (wanted !== undefined && wanted !== '$LATEST'))
    throw functionNotFound(wanted ? `${arn}:${wanted}` : arn);
  return fn;
};
