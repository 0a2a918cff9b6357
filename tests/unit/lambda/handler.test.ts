/**
 * The one Lambda wrapper: environment once with every problem, dependencies once per
 * container, Powertools' Lambda context on every log line and its keys reset after each
 * invocation, metrics flushed per invocation and the cold start counted once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { lambdaHandler, type Observability } from '../../../shared/lambda/handler.ts';
import { lambdaContext } from '../../helpers/lambda-context.ts';

/** Every JSON line the function writes (Powertools logs WARN/ERROR to stderr, the rest and EMF to stdout). */
const captureOutput = () => {
  const lines: Record<string, unknown>[] = [];
  for (const stream of [process.stdout, process.stderr])
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      return true;
    });
  return lines;
};

const isEmf = (line: Record<string, unknown>) => '_aws' in line;
const metricNames = (line: Record<string, unknown>): string[] =>
  (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics.flatMap((m) =>
    m.Metrics.map((x) => x.Name),
  );

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'Shipyard');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'shipyard');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', 'false');
  // Lambda sets it in every on-demand environment ("Defined runtime environment variables",
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime);
  // Powertools counts a cold start only then.
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const envSchema = z.object({
  SHIPYARD_CONFIG_FILE: z.string().min(1, 'the path of the Shipyard config file is required'),
  SHIPYARD_DEFERRED_QUEUE_URL: z.url('the URL of the deferred-invalidations queue is required'),
});

/** A function that logs one line per invocation through the wrapper's logger. */
const loggingFunction = (body: (o: Observability, event: { site?: string }) => void = () => {}) => {
  const deps = vi.fn((_env: z.infer<typeof envSchema>, observability: Observability) => observability);
  const handler = lambdaHandler({
    name: 'wrapper-test',
    env: envSchema,
    deps,
    handler: (o: Observability) => async (event: { site?: string }) => {
      body(o, event);
      o.logger.info('invoked');
      return 'done';
    },
  });
  return { handler, deps };
};

const validEnv = () => {
  vi.stubEnv('SHIPYARD_CONFIG_FILE', 'config/shipyard.dev.yml');
  vi.stubEnv('SHIPYARD_DEFERRED_QUEUE_URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/deferred');
};

describe('lambdaHandler: environment and dependencies', () => {
  it('names every missing or invalid variable in one error, and builds nothing', async () => {
    // Prepare
    vi.stubEnv('SHIPYARD_CONFIG_FILE', undefined);
    vi.stubEnv('SHIPYARD_DEFERRED_QUEUE_URL', 'not a url');
    const { handler, deps } = loggingFunction();
    captureOutput();
    // Act
    const outcome = handler({}, lambdaContext('req-1'));
    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'ConfigError',
      source: 'environment',
      problems: [
        { path: 'SHIPYARD_CONFIG_FILE', message: expect.any(String) },
        {
          path: 'SHIPYARD_DEFERRED_QUEUE_URL',
          message: 'the URL of the deferred-invalidations queue is required',
        },
      ],
    });
    expect(deps).not.toHaveBeenCalled();
  });

  it('reads the environment at the first invocation, not at import', () => {
    vi.stubEnv('SHIPYARD_CONFIG_FILE', undefined);
    expect(() => loggingFunction()).not.toThrow();
  });

  it('builds the dependencies once and reuses them while warm; a failed build is retried', async () => {
    // Prepare
    captureOutput();
    const { handler, deps } = loggingFunction();
    // Act: a cold start with a broken environment, then three invocations with a good one
    await expect(handler({}, lambdaContext('req-0'))).rejects.toMatchObject({ name: 'ConfigError' });
    validEnv();
    const results = [];
    for (const id of ['req-1', 'req-2', 'req-3']) results.push(await handler({}, lambdaContext(id)));
    // Assess
    expect(results).toEqual(['done', 'done', 'done']);
    expect(deps).toHaveBeenCalledTimes(1);
    expect(deps.mock.calls[0]?.[0]).toMatchObject({ SHIPYARD_CONFIG_FILE: 'config/shipyard.dev.yml' });
  });
});

describe('lambdaHandler: Powertools logging and metrics', () => {
  it('puts the request id and the function name on every log line', async () => {
    // Prepare
    validEnv();
    const lines = captureOutput();
    const { handler } = loggingFunction(({ logger }) => logger.warn('about to invoke'));
    // Act
    await handler({}, lambdaContext('req-1', 'shipyard-dev-githubWebhook'));
    await handler({}, lambdaContext('req-2', 'shipyard-dev-githubWebhook'));
    // Assess
    const logs = lines.filter((l) => !isEmf(l));
    expect(logs.map((l) => [l.message, l.function_request_id])).toEqual([
      ['about to invoke', 'req-1'],
      ['invoked', 'req-1'],
      ['about to invoke', 'req-2'],
      ['invoked', 'req-2'],
    ]);
    for (const line of logs)
      expect(line).toMatchObject({
        function_name: 'shipyard-dev-githubWebhook',
        service: 'shipyard-wrapper-test',
      });
  });

  it('drops the keys an invocation appended before the next one', async () => {
    // Prepare
    validEnv();
    const lines = captureOutput();
    const { handler } = loggingFunction(({ logger }, event) => {
      if (event.site) logger.appendKeys({ site: event.site });
    });
    // Act
    await handler({ site: 'docs' }, lambdaContext('req-1'));
    await handler({}, lambdaContext('req-2'));
    // Assess
    const [first, second] = lines.filter((l) => !isEmf(l));
    expect(first).toMatchObject({ function_request_id: 'req-1', site: 'docs' });
    expect(second).toMatchObject({ function_request_id: 'req-2' });
    expect(second).not.toHaveProperty('site');
  });

  it('emits the ColdStart metric once per container, with the function name', async () => {
    // Prepare
    validEnv();
    const lines = captureOutput();
    const { handler } = loggingFunction();
    // Act
    for (const id of ['req-1', 'req-2', 'req-3'])
      await handler({}, lambdaContext(id, 'shipyard-dev-backupRotate'));
    // Assess
    const coldStarts = lines.filter((l) => isEmf(l) && metricNames(l).includes('ColdStart'));
    expect(coldStarts).toEqual([
      expect.objectContaining({
        ColdStart: 1,
        function_name: 'shipyard-dev-backupRotate',
        service: 'shipyard',
      }),
    ]);
  });

  it('flushes what an invocation recorded after it, also when it throws, and only that', async () => {
    // Prepare
    validEnv();
    const lines = captureOutput();
    let call = 0;
    const handler = lambdaHandler({
      name: 'wrapper-test',
      env: envSchema,
      deps: (_env, observability) => observability,
      handler: (o: Observability) => async () => {
        call += 1;
        o.metrics.count('InvalidationFailures', call);
        if (call === 1) throw new Error('boom');
        return 'done';
      },
    });
    // Act
    await expect(handler({}, lambdaContext('req-1'))).rejects.toThrow('boom');
    await handler({}, lambdaContext('req-2'));
    await handler({}, lambdaContext('req-3'));
    // Assess: one record per invocation, each with its own value only
    const failures = lines.filter((l) => isEmf(l) && metricNames(l).includes('InvalidationFailures'));
    expect(failures.map((l) => l.InvalidationFailures)).toEqual([1, 2, 3]);
    expect(lines.filter((l) => l.level === 'WARN')).toEqual([]);
  });
});
