import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/invalidate-deploy-event/handler.ts';
import { waitBudgetSeconds } from '../../../shared/invalidation-service/runtime.ts';
import { parseEnvironment } from '../../../shared/lambda/environment.ts';
import { invalidationDeps, invalidationEnv } from '../../../shared/lambda/invalidation-deps.ts';
import { createLogger } from '../../../shared/logging/logger.ts';
import { createMetrics } from '../../../shared/logging/metrics.ts';
import { lambdaContext } from '../../helpers/lambda-context.ts';
import { site } from './fixtures.ts';

/** The invalidation functions' dependencies from an environment, as their wrapper builds them. */
const defaultInvalidationDeps = (name: string, env: NodeJS.ProcessEnv) =>
  invalidationDeps(parseEnvironment(invalidationEnv, env), {
    logger: createLogger(name),
    metrics: createMetrics(),
  });

describe('invalidation function environment', () => {
  it('lists every missing or invalid variable at once', () => {
    expect(() => defaultInvalidationDeps('test', { SHIPYARD_DEFERRED_QUEUE_URL: 'not a url' })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        problems: [
          { path: 'SHIPYARD_CONFIG_FILE', message: 'Invalid input: expected string, received undefined' },
          {
            path: 'SHIPYARD_DEFERRED_QUEUE_URL',
            message: 'the URL of the deferred-invalidations queue is required',
          },
        ],
      }),
    );
  });

  it('reports every problem of the config file with its line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipyard-env-'));
    const file = join(dir, 'shipyard.yml');
    writeFileSync(file, 'sites:\n  - name: Web\n    bucket: b\n    distributionIds: []\n');
    expect(() =>
      defaultInvalidationDeps('test', {
        SHIPYARD_CONFIG_FILE: file,
        SHIPYARD_DEFERRED_QUEUE_URL: 'http://q/1/x',
      }),
    ).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('3 problems') }),
    );
  });

  it('fails the first invocation, not the import, when the environment is wrong', async () => {
    await expect(handler({}, lambdaContext('req-1'))).rejects.toMatchObject({ name: 'ConfigError' });
  });

  it("bounds the site's wait for completion by the Lambda's remaining time", () => {
    const waiting = site({ name: 'w', invalidation: { waitForCompletionSeconds: 300 } });
    expect(waitBudgetSeconds(waiting)).toBe(300);
    expect(waitBudgetSeconds(waiting, 65_000)).toBe(60);
    expect(waitBudgetSeconds(waiting, 1_000)).toBe(0);
  });
});
