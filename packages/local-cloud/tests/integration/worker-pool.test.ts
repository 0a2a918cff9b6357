/**
 * The thread that hosts a function's environments: a timed-out invocation answers
 * Sandbox.Timedout without ending an invocation running beside it (on Lambda that one has an
 * environment of its own), and the function's next invocation starts in a new thread: a
 * timed-out environment is not reused ([unconfirmed]: Lambda's lifecycle page, "Understanding
 * the Lambda execution environment lifecycle", describes a reset after an invoke-phase
 * timeout; the sentence could not be checked here).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type InvokeMessage, WorkerPool, type WorkerReply } from '../../src/services/lambda/worker-pool.ts';

/**
 * The invoked function's Lambda timeout (the pool's limit for one invocation), not a bound on
 * the test: these calls end when the test releases them, whatever the machine's speed.
 */
const FUNCTION_TIMEOUT_MS = 600_000;

// { hold: NAME } says 'started' on that BroadcastChannel, then waits for 'release'.
const SOURCE = `
let calls = 0;
const loadedAt = Math.random();
export const handler = async (event) => {
  calls += 1;
  const seen = calls;
  if (event.hold) {
    await new Promise((resolve) => {
      const channel = new BroadcastChannel(event.hold);
      channel.onmessage = (m) => { if (m.data === 'release') { channel.close(); resolve(); } };
      channel.postMessage('started');
    });
  }
  return { calls: seen, loadedAt };
};
`;

const root = mkdtempSync(join(tmpdir(), 'shipyard-worker-pool-'));
writeFileSync(join(root, 'handler.mjs'), SOURCE);

let coldStarts = 0;
const pool = new WorkerPool({
  root,
  handler: 'handler.handler',
  env: { PATH: process.env.PATH ?? '' },
  memorySize: 128,
  simulatedClock: false,
  onColdStart: () => {
    coldStarts += 1;
  },
});
afterEach(() => pool.close());

let ids = 0;
const message = (event: unknown): InvokeMessage => ({
  id: `request-${++ids}`,
  event,
  context: {},
  deadline: Date.now() + FUNCTION_TIMEOUT_MS,
  clock: { sim: Date.now(), real: Date.now(), speed: 1 },
});
const started = (name: string, n: number) =>
  new Promise<InstanceType<typeof BroadcastChannel>>((resolve) => {
    const channel = new BroadcastChannel(name);
    let count = 0;
    channel.onmessage = (m: MessageEvent) => {
      if (m.data === 'started' && ++count === n) resolve(channel);
    };
  });
const payload = (reply: WorkerReply) => {
  if (!reply.ok) throw new Error(`${reply.errorType}: ${reply.errorMessage}`);
  return JSON.parse(reply.payload) as { calls: number; loadedAt: number };
};

describe('a function thread of the local Lambda', () => {
  it('times out one invocation without ending the one beside it, then starts a new thread', async () => {
    const holding = Promise.all([started('never', 1), started('beside', 1)]);
    // Held forever: it can only end by its (short) timeout, however fast the machine is.
    const timedOut = pool.invoke(message({ hold: 'never' }), 50);
    const beside = pool.invoke(message({ hold: 'beside' }), FUNCTION_TIMEOUT_MS);
    const [never, channel] = await holding;
    expect(await timedOut).toMatchObject({ ok: false, errorType: 'Sandbox.Timedout' });
    channel.postMessage('release');
    const first = payload(await beside);
    expect(first.calls).toBe(1);
    const next = payload(await pool.invoke(message({}), FUNCTION_TIMEOUT_MS));
    expect(next.calls).toBe(1);
    expect(next.loadedAt).not.toBe(first.loadedAt);
    expect(coldStarts).toBe(3);
    never.close();
    channel.close();
  });
});
