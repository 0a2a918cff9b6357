import { describe, expect, it } from 'vitest';
import { tagRunLogs } from '../../../shared/backup-service/deps.ts';
import { createLogger } from '../../../shared/logging/logger.ts';

const captureLines = (run: () => void): Record<string, unknown>[] => {
  const lines: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    run();
  } finally {
    process.stdout.write = original;
  }
  return lines
    .flatMap((l) => l.split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
};

describe('backup run correlation in logs', () => {
  it('tags every line with the run id and policy, and drops the previous run keys', () => {
    // Prepare
    const logger = createLogger('shipyard-test');
    const logged = captureLines(() => {
      // Act
      tagRunLogs(logger, { run: { runId: 'nightly-2026-11-29', policy: { name: 'nightly' } }, backup: {} });
      logger.info('first');
      tagRunLogs(logger, { not: 'a run' });
      logger.info('second');
    });
    // Assess
    expect(logged[0]).toMatchObject({
      message: 'first',
      correlation_id: 'nightly-2026-11-29',
      policy: 'nightly',
    });
    expect(logged[1]?.message).toBe('second');
    expect(logged[1]).not.toHaveProperty('correlation_id');
  });
});
