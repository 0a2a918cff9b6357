/**
 * The local Lambda's execution environments (module instances in a worker thread per function):
 * reused while warm, one per concurrent invocation, replaced when the function changes or the
 * cloud is reset, started with nothing of the host's Node options.
 * Lambda reuses an environment for later invocations and keeps the module scope (Lambda
 * Developer Guide, "Lambda execution environment": "the execution environment is reused for
 * subsequent invocations ... objects declared outside of the function's handler method remain
 * initialized"); a configuration or code update makes new invocations use new environments.
 * Concurrent invocations each get their own environment (Lambda Developer Guide, "Understanding
 * Lambda function scaling", https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html:
 * "For each concurrent request, Lambda provisions a separate instance of your execution
 * environment"). `Event` invocations wait in a queue that "a separate process reads"
 * (Lambda Developer Guide, "Invoking a Lambda function asynchronously",
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvokeCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_INVOCATIONS_PER_FUNCTION } from '../../src/services/lambda/event-slots.ts';
import { RETIRE_AFTER_INVOCATIONS } from '../../src/services/lambda/idle-retirement.ts';
import { registerBundleFunction, registerLocalFunction } from '../../src/services/lambda/register.ts';
import { waitForAsyncInvocations } from '../../testing/async-invocations.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { storedZip } from '../../testing/zip.ts';

const local = useLocalCloud();
const lambda = () => new LambdaClient(clientConfig(local().url));

// Module scope: what survives between two invocations of one warm environment. With
// { hold: NAME } an invocation says 'started' on that BroadcastChannel, then waits for 'release'.
const SOURCE = `
let calls = 0;
const loadedAt = Math.random();
const holdOn = (name) => new Promise((resolve) => {
  const channel = new BroadcastChannel(name);
  channel.onmessage = (m) => { if (m.data === 'release') { channel.close(); resolve(); } };
  channel.postMessage('started');
});
export const handler = async (event) => {
  calls += 1;
  const seen = calls;
  if (event?.hold) await holdOn(event.hold);
  return { calls: seen, loadedAt, execArgv: process.execArgv, version: process.env.VERSION ?? null };
};
`;

let bundle = '';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shipyard-environments-'));
  writeFileSync(join(dir, 'source.ts'), SOURCE);

  bundle = join(dir, 'out', 'handler.mjs');
  await build({
    entryPoints: [join(dir, 'source.ts')],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
  });
});

interface Reply {
  calls: number;
  loadedAt: number;
  execArgv: string[];
  version: string | null;
}
const invoke = async (name: string, event?: unknown): Promise<Reply> => {
  const res = await lambda().send(
    new InvokeCommand({
      FunctionName: name,
      ...(event === undefined ? {} : { Payload: Buffer.from(JSON.stringify(event)) }),
    }),
  );
  expect(res.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(res.Payload ?? []).toString('utf8')) as Reply;
};
const coldStarts = () => local().cloud.counters.get('lambda.coldStarts');

/** The test's end of a hold channel: `started(n)` resolves once n invocations are holding. */
const holdChannel = (name: string) => {
  const channel = new BroadcastChannel(name);
  let count = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  channel.onmessage = (m: MessageEvent) => {
    if (m.data !== 'started') return;
    count += 1;
    for (const w of waiters.filter((w) => count >= w.n)) w.resolve();
  };
  return {
    started: (n: number) =>
      new Promise<void>((resolve) => (count >= n ? resolve() : waiters.push({ n, resolve }))),
    release: () => channel.postMessage('release'),
    close: () => channel.close(),
  };
};

describe('Lambda execution environments in the local cloud', () => {
  it('reuses a warm environment: the second invocation keeps the module scope, no new cold start', async () => {
    registerBundleFunction(local().cloud, { name: 'counter', bundle });
    const first = await invoke('counter');
    const second = await invoke('counter');
    expect(first.calls).toBe(1);
    expect(second).toMatchObject({ calls: 2, loadedAt: first.loadedAt });
    expect(coldStarts()).toBe(1);
  });

  it('replaces the environment after a configuration update', async () => {
    registerBundleFunction(local().cloud, { name: 'counter', bundle, environment: { VERSION: 'v1' } });
    const before = await invoke('counter');
    await lambda().send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'counter',
        Environment: { Variables: { VERSION: 'v2' } },
      }),
    );
    const after = await invoke('counter');
    expect(before).toMatchObject({ calls: 1, version: 'v1' });
    expect(after).toMatchObject({ calls: 1, version: 'v2' });
    expect(after.loadedAt).not.toBe(before.loadedAt);
    expect(coldStarts()).toBe(2);
  });

  it('replaces the environment after a code update', async () => {
    registerBundleFunction(local().cloud, { name: 'counter', bundle });
    const before = await invoke('counter');
    await invoke('counter');
    await lambda().send(
      new UpdateFunctionCodeCommand({
        FunctionName: 'counter',
        ZipFile: storedZip({ 'handler.mjs': readFileSync(bundle) }),
      }),
    );
    const after = await invoke('counter');
    expect(after.calls).toBe(1);
    expect(after.loadedAt).not.toBe(before.loadedAt);
    expect(coldStarts()).toBe(2);
  });

  it('starts afresh after the cloud is reset', async () => {
    registerBundleFunction(local().cloud, { name: 'counter', bundle });
    const before = await invoke('counter');
    local().cloud.reset();
    registerBundleFunction(local().cloud, { name: 'counter', bundle });
    const after = await invoke('counter');
    expect(after.calls).toBe(1);
    expect(after.loadedAt).not.toBe(before.loadedAt);
  });

  it('starts workers with no Node options of the host (no TypeScript loader, only the bundle)', async () => {
    registerBundleFunction(local().cloud, { name: 'counter', bundle });
    expect((await invoke('counter')).execArgv).toEqual([]);
  });

  it('gives concurrent invocations separate environments (module scopes), then reuses them', async () => {
    registerBundleFunction(local().cloud, { name: 'counter', bundle, timeoutSeconds: 900 });
    const hold = holdChannel('concurrent');
    const both = Promise.all([
      invoke('counter', { hold: 'concurrent' }),
      invoke('counter', { hold: 'concurrent' }),
    ]);
    await hold.started(2);
    hold.release();
    const [a, b] = await both;
    hold.close();
    expect([a?.calls, b?.calls]).toEqual([1, 1]);
    expect(a?.loadedAt).not.toBe(b?.loadedAt);
    const third = await invoke('counter');
    expect(third.calls).toBe(2);
    expect([a?.loadedAt, b?.loadedAt]).toContain(third.loadedAt);
    expect(coldStarts()).toBe(2);
  });

  it(`runs at most ${EVENT_INVOCATIONS_PER_FUNCTION} Event invocations of a function at once: the others wait in its queue`, async () => {
    const { cloud, control } = local();
    registerBundleFunction(cloud, { name: 'counter', bundle, timeoutSeconds: 900 });
    const hold = holdChannel('queued');
    const total = EVENT_INVOCATIONS_PER_FUNCTION + 2;
    for (let i = 0; i < total; i += 1) {
      const res = await lambda().send(
        new InvokeCommand({
          FunctionName: 'counter',
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify({ hold: 'queued' })),
        }),
      );
      expect(res.StatusCode).toBe(202);
    }
    await hold.started(EVENT_INVOCATIONS_PER_FUNCTION);
    // None of the holding invocations can end before the release, so no queued one has started.
    expect(cloud.counters.get('lambda.invocations.counter')).toBe(EVENT_INVOCATIONS_PER_FUNCTION);
    expect(await control.asyncInvocationsEnded({ stallMs: 0 })).toEqual({ pending: total });
    hold.release();
    await hold.started(total);
    hold.release();
    await waitForAsyncInvocations(control);
    hold.close();
    expect(cloud.counters.get('lambda.invocations.counter')).toBe(total);
    expect(coldStarts()).toBe(EVENT_INVOCATIONS_PER_FUNCTION);
  });

  it(`retires a function that sat out the cloud's last ${RETIRE_AFTER_INVOCATIONS} invocations, counted, not timed`, async () => {
    const { cloud } = local();
    registerBundleFunction(cloud, { name: 'counter', bundle });
    registerLocalFunction(cloud, { name: 'other', handler: async () => null });
    const before = await invoke('counter');
    const retired = () => cloud.counters.get('lambda.retiredEnvironments');
    for (let i = 0; i < RETIRE_AFTER_INVOCATIONS; i += 1)
      await lambda().send(new InvokeCommand({ FunctionName: 'other' }));
    expect(retired()).toBe(0);
    await lambda().send(new InvokeCommand({ FunctionName: 'other' }));
    expect(retired()).toBe(1);
    const after = await invoke('counter');
    expect(after.calls).toBe(1);
    expect(after.loadedAt).not.toBe(before.loadedAt);
    expect(coldStarts()).toBe(2);
  });
});
