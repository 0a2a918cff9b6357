import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBundleFunction, registerLocalFunction } from '../../src/services/lambda/register.ts';
import { waitForAsyncInvocations } from '../../testing/async-invocations.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { storedZip } from '../../testing/zip.ts';

const local = useLocalCloud();
const lambda = () => new LambdaClient(clientConfig(local().url));

const SOURCE = `
class BadInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadInput';
  }
}
export const handler = async (event: unknown, context: { functionName: string; awsRequestId: string; getRemainingTimeInMillis(): number }) => ({
  greeting: process.env.GREETING,
  region: process.env.AWS_REGION,
  endpoint: process.env.AWS_ENDPOINT_URL,
  hostHome: process.env.HOME ?? null,
  functionName: context.functionName,
  requestId: context.awsRequestId,
  hasTimeLeft: context.getRemainingTimeInMillis() > 0,
  event,
});
export const fails = async () => {
  throw new BadInput('volume vol-1 is not attached');
};
export const slow = () => new Promise((resolve) => setTimeout(resolve, 10_000));
export const clock = async () => ({ now: Date.now() });
export const webhook = async (event: { rawPath: string; body: string; headers: Record<string, string>; requestContext: { http: { method: string } } }) => ({
  statusCode: 202,
  headers: { 'x-github-event': event.headers['x-github-event'] },
  body: JSON.stringify({ path: event.rawPath, method: event.requestContext.http.method, ref: JSON.parse(event.body).ref }),
});
`;

let bundle = '';
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipyard-bundle-'));
  writeFileSync(join(dir, 'source.ts'), SOURCE);
  bundle = join(dir, 'out', 'handler.mjs');
  // Minified like the deployed bundles: class names are mangled, only `this.name` survives.
  await build({
    entryPoints: [join(dir, 'source.ts')],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    minify: true,
  });
});

const decode = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

describe('Lambda in the local cloud', () => {
  it('runs a function from an esbuild bundle with its own environment, not the host one', async () => {
    // Prepare
    const { cloud, url } = local();
    registerBundleFunction(cloud, { name: 'greeter', bundle, environment: { GREETING: 'hello' } });
    // Act
    const res = await lambda().send(
      new InvokeCommand({ FunctionName: 'greeter', Payload: Buffer.from(JSON.stringify({ site: 'docs' })) }),
    );
    // Assess
    expect(res.StatusCode).toBe(200);
    expect(res.FunctionError).toBeUndefined();
    expect(res.ExecutedVersion).toBe('$LATEST');
    expect(decode(res.Payload)).toMatchObject({
      greeting: 'hello',
      region: 'us-east-1',
      endpoint: url,
      hostHome: null,
      functionName: 'greeter',
      hasTimeLeft: true,
      event: { site: 'docs' },
    });
    expect((await local().control.counters()).tallies).toMatchObject({
      'lambda.invocations': 1,
      'lambda.invocations.greeter': 1,
    });
  });

  it('answers a thrown error as Unhandled with errorType set to the error name', async () => {
    const { cloud } = local();
    registerBundleFunction(cloud, { name: 'failing', bundle, handler: 'fails' });
    const res = await lambda().send(new InvokeCommand({ FunctionName: 'failing' }));
    expect(res.FunctionError).toBe('Unhandled');
    expect(decode(res.Payload)).toMatchObject({
      errorType: 'BadInput',
      errorMessage: 'volume vol-1 is not attached',
    });
  });

  it('times out a function after its configured timeout with Sandbox.Timedout', async () => {
    const { cloud } = local();
    registerBundleFunction(cloud, { name: 'sleepy', bundle, handler: 'slow', timeoutSeconds: 1 });
    const res = await lambda().send(new InvokeCommand({ FunctionName: 'sleepy' }));
    expect(res.FunctionError).toBe('Unhandled');
    expect(decode(res.Payload)).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect(decode(res.Payload).errorMessage).toContain('Task timed out after 1.00 seconds');
  });

  it('lets functions read the simulated clock', async () => {
    const { cloud, control } = local();
    registerBundleFunction(cloud, { name: 'clock', bundle, handler: 'clock' });
    const advanced = await control.advance({ minutes: 60 * 24 * 14 });
    const res = await lambda().send(new InvokeCommand({ FunctionName: 'clock' }));
    expect(decode(res.Payload).now).toBeGreaterThanOrEqual(advanced.now);
  });

  it('answers an unknown function with ResourceNotFoundException', async () => {
    await expect(lambda().send(new InvokeCommand({ FunctionName: 'nobody' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(lambda().send(new GetFunctionCommand({ FunctionName: 'nobody' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('creates a function from an uploaded zip and picks up configuration changes', async () => {
    // Prepare
    const client = lambda();
    const zip = storedZip({ 'handler.mjs': readFileSync(bundle) });
    // Act
    const created = await client.send(
      new CreateFunctionCommand({
        FunctionName: 'uploaded',
        Runtime: 'nodejs22.x',
        Role: 'arn:aws:iam::123456789012:role/fn',
        Handler: 'handler.handler',
        Code: { ZipFile: zip },
        Environment: { Variables: { GREETING: 'v1' } },
      }),
    );
    const first = decode(
      (await client.send(new InvokeCommand({ FunctionName: created.FunctionArn }))).Payload,
    );
    await client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'uploaded',
        Environment: { Variables: { GREETING: 'v2' } },
      }),
    );
    const second = decode((await client.send(new InvokeCommand({ FunctionName: 'uploaded' }))).Payload);
    // Assess
    expect(created).toMatchObject({
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:uploaded',
      State: 'Active',
    });
    expect(first.greeting).toBe('v1');
    expect(second.greeting).toBe('v2');
    const listed = await client.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => f.FunctionName)).toEqual(['uploaded']);
    await expect(
      client.send(
        new CreateFunctionCommand({
          FunctionName: 'uploaded',
          Role: 'arn:aws:iam::123456789012:role/fn',
          Handler: 'handler.handler',
          Code: { ZipFile: zip },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceConflictException' });
  });

  it('serves a GitHub webhook POSTed to a Function URL as a 2.0 event', async () => {
    // Prepare
    const { cloud } = local();
    registerBundleFunction(cloud, { name: 'on-push', bundle, handler: 'webhook' });
    const config = await lambda().send(
      new CreateFunctionUrlConfigCommand({ FunctionName: 'on-push', AuthType: 'NONE' }),
    );
    // Act
    const res = await fetch(`${config.FunctionUrl}hooks/github?x=1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': 'sha256=abc',
      },
      body: JSON.stringify({ ref: 'refs/heads/main' }),
    });
    // Assess
    expect(res.status).toBe(202);
    expect(res.headers.get('x-github-event')).toBe('push');
    expect(await res.json()).toEqual({ path: '/hooks/github', method: 'POST', ref: 'refs/heads/main' });
    expect(config.FunctionUrl).toMatch(/\/_functionurl\/us-east-1\/on-push\/$/);
  });

  it('queues Event invocations and answers 202', async () => {
    const { cloud, control } = local();
    let seen: unknown;
    registerLocalFunction(cloud, {
      name: 'async',
      handler: async (event) => {
        seen = event;
      },
    });
    const res = await lambda().send(
      new InvokeCommand({ FunctionName: 'async', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }),
    );
    expect(res.StatusCode).toBe(202);
    await waitForAsyncInvocations(control);
    expect(seen).toEqual({ n: 1 });
    expect((await control.counters()).tallies['lambda.invocations.async']).toBe(1);
  });

  it('tells a wait for Event invocations how many are unfinished when none ends in its bound', async () => {
    const { cloud, control } = local();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    registerLocalFunction(cloud, { name: 'held', timeoutSeconds: 900, handler: () => held });
    await lambda().send(
      new InvokeCommand({ FunctionName: 'held', InvocationType: 'Event', Payload: Buffer.from('{}') }),
    );
    // The function cannot end before `release`: whatever the machine's speed, one is pending.
    await expect(control.asyncInvocationsEnded({ stallMs: 50 })).resolves.toEqual({ pending: 1 });
    await expect(waitForAsyncInvocations(control, { stallMs: 50 })).rejects.toThrow(
      /^1 Event invocation\(s\) made no progress for 0.05s$/,
    );
    release();
    await waitForAsyncInvocations(control);
    expect(await control.asyncInvocationsEnded({ stallMs: 0 })).toEqual({ pending: 0 });
  });

  it('applies an in-memory function environment only while it runs', async () => {
    const { cloud } = local();
    registerLocalFunction(cloud, {
      name: 'env-reader',
      environment: { SHIPYARD_TEST_VALUE: 'inside' },
      handler: async () => ({ value: process.env.SHIPYARD_TEST_VALUE }),
    });
    const res = await lambda().send(new InvokeCommand({ FunctionName: 'env-reader' }));
    expect(decode(res.Payload)).toEqual({ value: 'inside' });
    expect(process.env.SHIPYARD_TEST_VALUE).toBeUndefined();
  });
});
