/**
 * `moto_server` (Python moto 5.x) as a second, independent implementation of the AWS APIs
 * (DESIGN.md, test tier 5). One server per test file on a free port, reset before each test,
 * stopped after the file. moto is on every machine here and in CI: a missing `moto_server`
 * fails the tests loudly, it never skips them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export const MOTO_BINARY = 'moto_server';
/** moto's fixed account id (the local cloud uses the same one). */
export const MOTO_ACCOUNT_ID = '123456789012';

const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const STOP_TIMEOUT_MS = 5_000;

export interface RunningMoto {
  url: string;
  port: number;
  /** `POST /moto-api/reset`: every backend back to empty. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The absolute path of `moto_server` on PATH, or a clear error saying how to get it. */
export function findMotoServer(path = process.env.PATH ?? ''): string {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, MOTO_BINARY);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    `${MOTO_BINARY} not found on PATH: the moto conformance tier needs it (pip install "moto[server]"). ` +
      'It is installed on every development machine and in CI; these tests never skip.',
  );
}

/** A port nobody listens on right now (bound to port 0, read back, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/moto-api/`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/**
 * Starts `moto_server -H 127.0.0.1 -p <free port>` and waits (bounded) until `/moto-api/`
 * answers. Default AMIs are not loaded: the tests see only what they create.
 */
export async function startMoto(): Promise<RunningMoto> {
  const binary = findMotoServer();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_EC2_LOAD_DEFAULT_AMIS: 'false', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(url))) {
    if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${MOTO_BINARY} did not start (${spawnError?.message ?? `exit ${child.exitCode ?? child.signalCode}`}): ${stderr}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${MOTO_BINARY} did not answer on ${url} within ${READY_TIMEOUT_MS} ms: ${stderr}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }

  return {
    url,
    port,
    async reset() {
      const res = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      const body = await res.text();
      if (!res.ok) throw new Error(`moto reset failed: ${res.status} ${body}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await gone;
      clearTimeout(timer);
    },
  };
}

/**
 * One moto_server per test file, reset before each test.
 * Usage: `const moto = useMoto();` then `moto().url` inside tests.
 */
export const useMoto = (): (() => RunningMoto) => {
  let running: RunningMoto | undefined;
  beforeAll(async () => {
    running = await startMoto();
  });
  afterAll(async () => {
    await running?.stop();
  });
  beforeEach(async () => {
    if (!running) throw new Error(`${MOTO_BINARY} not started (see the beforeAll error above)`);
    await running.reset();
  });
  return () => {
    if (!running) throw new Error(`${MOTO_BINARY} not started`);
    return running;
  };
};
