import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import type { QueryParams } from '../../protocol/query.ts';
import {
  type BucketSpec,
  bucketFor,
  isEc2ActionName,
  type ThrottlingConfig,
  type ThrottlingSeed,
  throttlingConfig,
} from './throttling.ts';

interface Bucket {
  spec: BucketSpec;
  tokens: number;
  /** Simulated ms of the last refill. */
  at: number;
  /** The fewest tokens left after a request: how close a run came to being throttled. */
  lowest: number;
  throttled: number;
}

/** A tiny margin so that 200 ms at 5 tokens/s gives back a whole token despite float rounding. */
const EPSILON = 1e-9;

/**
 * Token buckets per (account, Region, bucket), refilled on the local cloud's simulated
 * clock: with the clock accelerated, a bucket refills as fast as seen from the workflow,
 * whose Waits and Retry pauses run on the same clock. Refill is continuous (AWS adds the
 * tokens once a second); over whole seconds the two agree.
 */
export class RequestThrottle {
  private readonly buckets = new Map<string, Bucket>();

  private constructor(readonly config: ThrottlingConfig) {}

  /** Fresh, full buckets for a seed's `throttling`; undefined when it turns throttling off. */
  static fromSeed(seed: ThrottlingSeed): RequestThrottle | undefined {
    const config = throttlingConfig(seed);
    return config ? new RequestThrottle(config) : undefined;
  }

  /** Takes one token; false when the bucket is empty (the request is throttled). */
  take(key: string, spec: BucketSpec, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { spec, tokens: spec.bucket, at: now, lowest: spec.bucket, throttled: 0 };
      this.buckets.set(key, bucket);
    }
    const refilled = bucket.tokens + ((now - bucket.at) * spec.refillPerSecond) / 1000;
    bucket.tokens = Math.min(spec.bucket, refilled);
    bucket.at = now;
    if (bucket.tokens + EPSILON < 1) {
      bucket.throttled += 1;
      return false;
    }
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    bucket.lowest = Math.min(bucket.lowest, bucket.tokens);
    return true;
  }

  /** For the control API's /state: every bucket used so far. */
  view() {
    return [...this.buckets].map(([key, b]) => {
      const [account, region, bucket] = key.split('|');
      return {
        account,
        region,
        bucket,
        capacity: b.spec.bucket,
        refillPerSecond: b.spec.refillPerSecond,
        lowestTokens: Math.floor(b.lowest),
        throttled: b.throttled,
      };
    });
  }
}

/**
 * The one check before an EC2 action runs. Every request that reaches the action costs a
 * token, including DryRun and requests that then fail validation (AWS says each request
 * removes one; that these count too is [unconfirmed]).
 */
export function throttleRequest(
  cloud: LocalCloud,
  throttle: RequestThrottle | undefined,
  region: string,
  action: string,
  params: QueryParams,
): void {
  if (!throttle || !isEc2ActionName(action)) return;
  const filteredOrPaginated =
    !params.scope('Filter').isEmpty() || params.has('MaxResults') || params.has('NextToken');
  const { key, spec } = bucketFor(throttle.config, action, filteredOrPaginated);
  if (throttle.take(`${cloud.accountId}|${region}|${key}`, spec, cloud.now())) return;
  cloud.counters.add('ec2.throttled');
  cloud.counters.add(`ec2.throttled.${action}`);
  throw new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503);
}
