/**
 * Deterministic CallerReference for CreateInvalidation: CloudFront returns the existing invalidation
 * (no new charge) for the same reference and the same paths, so a redelivered deploy event that
 * rebuilds the same plan never bills twice.
 */
import { createHash } from 'node:crypto';
import { InvalidCallerReferenceInputError } from './errors.ts';

/** CloudFront's limit on CallerReference length. */
export const MAX_CALLER_REFERENCE_LENGTH = 128;
/** Parts kept readable; longer ones are hashed. 9 + 32 + 1 + 32 + 1 + 16 + 1 + 32 = 124 ≤ 128. */
const READABLE = /^[A-Za-z0-9._-]{1,32}$/;

export interface CallerReferenceInput {
  readonly distributionId: string;
  /** Anything stable per deploy: commit sha, CodePipeline execution id, S3 event sequencer. */
  readonly deployId: string;
  readonly batchIndex: number;
  readonly paths: readonly string[];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function part(value: string): string {
  return READABLE.test(value) ? value : `h${sha256(value).slice(0, 24)}`;
}

/**
 * `shipyard:<distribution>:<deploy>:<batch>:<sha256 of the sorted paths>`, ≤ 128 characters. Parts that
 * are long or contain other characters are replaced by a hash prefix (still deterministic).
 *
 * @example
 * callerReference({ distributionId: 'E2QWRUHAPOMQZL', deployId: 'a1b2c3', batchIndex: 0, paths: ['/b', '/a'] });
 * // 'shipyard:E2QWRUHAPOMQZL:a1b2c3:0:<32 hex digits>' (same for paths ['/a', '/b'])
 */
export function callerReference(input: CallerReferenceInput): string {
  if (input.distributionId === '') {
    throw new InvalidCallerReferenceInputError('distributionId', 'a non-empty distribution id');
  }
  if (input.deployId === '') throw new InvalidCallerReferenceInputError('deployId', 'a non-empty deploy id');
  if (!Number.isSafeInteger(input.batchIndex) || input.batchIndex < 0) {
    throw new InvalidCallerReferenceInputError('batchIndex', 'a non-negative integer');
  }
  const digest = sha256([...input.paths].sort().join('\n')).slice(0, 32);
  return `${callerReferencePrefix(input.distributionId, input.deployId)}${input.batchIndex}:${digest}`;
}

/**
 * The prefix shared by every caller reference of one deploy: lets a handler recognise its own
 * earlier invalidations (GetInvalidation returns the reference) and leave them out of `inFlight`.
 *
 * @example
 * callerReferencePrefix('E2QWRUHAPOMQZL', 'a1b2c3'); // 'shipyard:E2QWRUHAPOMQZL:a1b2c3:'
 */
export function callerReferencePrefix(distributionId: string, deployId: string): string {
  return `shipyard:${part(distributionId)}:${part(deployId)}:`;
}
