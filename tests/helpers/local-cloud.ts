import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type RunningLocalCloud, type StartOptions, startLocalCloud } from '../../local/server.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Client config that points an SDK v3 client at the local cloud. */
export const clientConfig = (endpoint: string, region = 'us-east-1') => ({
  endpoint,
  region,
  credentials: TEST_CREDENTIALS,
  forcePathStyle: true,
});

/**
 * Starts one local cloud per test file (port 0) and resets it before each test.
 * Usage: `const local = useLocalCloud();` then `local().url` inside tests.
 */
export const useLocalCloud = (options: StartOptions = {}): (() => RunningLocalCloud) => {
  let running: RunningLocalCloud | undefined;
  beforeAll(async () => {
    running = await startLocalCloud({ port: 0, ...options });
  });
  afterAll(async () => {
    await running?.close();
  });
  beforeEach(() => {
    running?.cloud.reset();
    if (options.durations) running?.cloud.setDurations(options.durations);
  });
  return () => {
    if (!running) throw new Error('local cloud not started');
    return running;
  };
};
