import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type RunningLocalCloud, type StartOptions, startLocalCloud } from '../src/server.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * Environment for boto3 / the aws CLI against the local cloud: test credentials, no pager, and
 * no shared config files, so nothing on the machine changes what botocore sends.
 */
export const botocoreEnv = (endpoint: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_PAGER: '',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  ...extra,
});

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
