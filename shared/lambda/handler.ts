/**
 * The one wrapper every Lambda function's `handler` export goes through:
 * - the environment is parsed once, on the first invocation (importing a handler reads
 *   nothing), with every missing or invalid variable named in one ConfigError;
 * - the dependencies are built once from it and reused while the container is warm (a failed
 *   build is retried on the next invocation);
 * - Powertools' `injectLambdaContext({ resetKeys: true })` puts the request id and the
 *   function name on every log line and drops the keys an invocation appended, and
 *   `logMetrics({ captureColdStartMetric: true })` flushes the metrics after each invocation
 *   (also when it throws) and counts cold starts — the Middy.js middlewares Powertools documents
 *   for both (`@aws-lambda-powertools/logger/middleware`, `@aws-lambda-powertools/metrics/middleware`;
 *   https://docs.aws.amazon.com/powertools/typescript/latest/api/modules/_aws-lambda-powertools_logger.html,
 *   https://docs.aws.amazon.com/powertools/typescript/latest/api/modules/_aws-lambda-powertools_metrics.html).
 *
 * `makeHandler(deps)` stays the unit the tests call with their own dependencies.
 *
 * @example
 * export const handler = lambdaHandler({
 *   name: 'backup-rotate',
 *   env: backupRunsEnv,
 *   deps: backupDeps,
 *   handler: makeHandler,
 * });
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type * as z from 'zod';
import { createLogger, type Logger } from '../logging/logger.ts';
import { createMetrics, type LambdaMetrics } from '../logging/metrics.ts';
import { parseEnvironment } from './environment.ts';

/** The part of Lambda's context object the handlers read. */
export interface LambdaContext {
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** The logger and metrics of one function, built with it (Powertools keeps them per container). */
export interface Observability {
  logger: Logger;
  metrics: LambdaMetrics;
}

export interface LambdaSpec<Env, Deps, Event, Result> {
  /** The function's folder name; its log lines carry `service: shipyard-<name>`. */
  name: string;
  /** What the function reads from its environment. */
  env: z.ZodType<Env>;
  /** Its dependencies, from the parsed environment. */
  deps: (env: Env, observability: Observability) => Deps;
  /** The handler over its dependencies. */
  handler: (deps: Deps) => (event: Event, context: LambdaContext) => Promise<Result>;
}

export type LambdaHandler<Event, Result> = (event: Event, context: LambdaContext) => Promise<Result>;

/** Early timeout off: the handlers budget their own time (waitBudgetSeconds), Lambda enforces the rest. */
const NO_EARLY_TIMEOUT = { timeoutEarlyInMillis: 0 };

export function lambdaHandler<Env, Deps, Event, Result>(
  spec: LambdaSpec<Env, Deps, Event, Result>,
): LambdaHandler<Event, Result> {
  const observability: Observability = {
    logger: createLogger(`shipyard-${spec.name}`),
    metrics: createMetrics(),
  };
  let run: ((event: Event, context: LambdaContext) => Promise<Result>) | undefined;
  const invoke = (event: Event, context: LambdaContext): Promise<Result> => {
    run ??= spec.handler(spec.deps(parseEnvironment(spec.env, process.env), observability));
    return run(event, context);
  };
  const wrapped = middy(invoke, NO_EARLY_TIMEOUT)
    .use(injectLambdaContext(observability.logger, { resetKeys: true }))
    .use(logMetrics(observability.metrics, { captureColdStartMetric: true }));
  return (event, context) => wrapped(event, context) as Promise<Result>;
}
