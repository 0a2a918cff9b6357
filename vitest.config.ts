import { defineConfig } from 'vitest/config';
import { SlowestFirst } from './tests/slowest-first.ts';

/**
 * No wall-clock limit per test or hook: how fast this machine is must not decide a result.
 * Every wait in the suite is bounded by the simulated clock or by progress instead (an
 * execution with no new history event for STALL_MS fails its test, a rehearsal night with no
 * new event is NOT_FINISHED), and `.ci/run` bounds the whole run against a real hang.
 */
const NO_WALL_CLOCK_LIMIT = 0;

const DOMAIN_AND_SERVICES = [
  'shared/invalidation/**',
  'shared/backup/**',
  'shared/invalidation-service/**',
  'shared/backup-service/**',
];

/** Measured with `npm test` and set just below, so coverage can only be kept or raised. */
const COVERAGE_THRESHOLDS = {
  'shared/invalidation/**': { branches: 86, lines: 95 },
  'shared/backup/**': { branches: 89, lines: 96 },
  'shared/invalidation-service/**': { branches: 88, lines: 95 },
  'shared/backup-service/**': { branches: 79, lines: 83 },
};

/**
 * Unit tests and the local cloud's own tests share their workers from file to file (no
 * module state of theirs outlives a file, and the environment is restored after each):
 * loading the SDK, zod and the local cloud once per worker instead of once per file halves
 * their CPU. The product's integration, workflow and end-to-end tests keep one fresh worker
 * per file, as their runs are long and start local clouds and child processes.
 */
const SHARED_WORKERS = ['tests/unit/**/*.test.ts', 'packages/*/tests/**/*.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['tests/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: NO_WALL_CLOCK_LIMIT,
    hookTimeout: NO_WALL_CLOCK_LIMIT,
    unstubEnvs: true,
    sequence: { sequencer: SlowestFirst },
    projects: [
      {
        extends: true,
        test: { name: 'isolated', include: ['tests/**/*.test.ts'], exclude: SHARED_WORKERS },
      },
      { extends: true, test: { name: 'shared-workers', include: SHARED_WORKERS, isolate: false } },
    ],
    // `npm test` runs with --coverage: the domain and the use cases keep their branch coverage
    // (the thresholds are in the README's testing section).
    coverage: {
      provider: 'v8',
      include: DOMAIN_AND_SERVICES,
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: COVERAGE_THRESHOLDS,
    },
  },
});
