/**
 * The local Lambda's execution environments (worker threads): reused while warm, replaced when
 * the function changes or the cloud is reset, started with nothing of the host's Node options.
 * Lambda reuses an environment for later invocations and keeps the module scope (Lambda
 * Developer Guide, "Lambda execution environment": "the execution environment is reused for
 * subsequent invocations ... objects declared outside of the function's handler method remain
 * initialized"); a configuration or code update makes new invocations use new environments.
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
import { registerBundleFunction } from '../../src/services/lambda/register.ts';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { storedZip } from '../../testing/zip.ts';

const local = useLocalCloud();
const lambda = () => new LambdaClient(clientConfig(local().url));

// Module scope: what survives between two invocations of one warm environment.
const SOURCE = `
let calls = 0;
const loadedAt = Math.random();
export const handler = async () => ({ calls: ++calls, loadedAt, execArgv: process.execArgv, version: process.env.VERSION ?? null });
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
const invoke = async (name: string): Promise<Reply> => {
  const res = await lambda().send(new InvokeCommand({ FunctionName: name }));
  expect(res.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(res.Payload ?? []).toString('utf8')) as Reply;
};
const coldStarts = () => local().cloud.counters.get('lambda.coldStarts');

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
});
