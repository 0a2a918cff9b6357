import type { EC2ClientConfig } from '@aws-sdk/client-ec2';

/**
 * The SDK's standard retry mode (the one production uses, shared/backup-service/deps.ts),
 * with its backoff elapsing in SIMULATED time: a delay of d simulated ms sleeps d / speed
 * real ms, at the clock's pace when the retry is planned (`speed()`). Against a throttling local cloud whose buckets refill on the simulated clock,
 * zero-delay retries would meet the same empty bucket, and real-time delays would be
 * `speed` times too long; this keeps the ratio AWS has.
 *
 * Figures of @smithy/core's StandardRetryStrategy (3.41, "retries-2026-config"): full
 * jitter, delay = random × min(base × 2^retry, 20 s), base 1 s for throttling and 50 ms
 * otherwise; a retry quota of 500 per client, a retry costs 5 (throttling) or 14 tokens,
 * a success gives back what its retry cost (or 1).
 */
const MAX_DELAY_MS = 20_000;
const THROTTLING_BASE_MS = 1_000;
const BASE_MS = 50;
const QUOTA = 500;
const THROTTLING_COST = 5;
const COST = 14;

interface Token {
  getRetryCount(): number;
  getRetryDelay(): number;
  cost: number;
}

export function simulatedTimeRetries(
  maxAttempts: number,
  speed: () => number,
  onRetry?: (errorType: string) => void,
): NonNullable<EC2ClientConfig['retryStrategy']> {
  let quota = QUOTA;
  const token = (count: number, realDelayMs: number, cost: number): Token => ({
    getRetryCount: () => count,
    getRetryDelay: () => realDelayMs,
    cost,
  });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async () => token(0, 0, 0),
    refreshRetryTokenForRetry: async (previous, info) => {
      onRetry?.(info.errorType);
      const retryable = info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT';
      const cost = info.errorType === 'THROTTLING' ? THROTTLING_COST : COST;
      const next = previous.getRetryCount() + 1;
      if (!retryable || next >= maxAttempts || quota < cost) throw new Error('no retry');
      quota -= cost;
      const base = info.errorType === 'THROTTLING' ? THROTTLING_BASE_MS : BASE_MS;
      const simulatedMs = Math.random() * Math.min(base * 2 ** previous.getRetryCount(), MAX_DELAY_MS);
      const pace = speed();
      return token(next, pace > 0 ? simulatedMs / pace : 0, cost);
    },
    recordSuccess: (used) => {
      quota = Math.min(QUOTA, quota + ((used as Token).cost || 1));
    },
  };
}
