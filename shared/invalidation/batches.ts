/**
 * Splitting a plan into CreateInvalidation batches that respect CloudFront's in-flight limits.
 */
import type { Limits } from './schemas.ts';

export interface InvalidationBatch {
  /** Encoded CloudFront paths, sorted. */
  readonly paths: readonly string[];
  readonly filePaths: number;
  readonly wildcards: number;
  /**
   * true: the batch does not fit next to what is in flight (counting the earlier batches of this plan);
   * send it once earlier invalidations have completed.
   */
  readonly deferred: boolean;
}

/**
 * true when an encoded path is a wildcard path: CloudFront reads a `*` only as the last character as
 * a wildcard (AWS-FACTS "Paths"); everything else, cache tags included, counts against the file limit.
 */
export function isWildcardPath(path: string): boolean {
  return path.endsWith('*');
}

/**
 * Paths counted as CloudFront's in-flight limits count them.
 *
 * @example
 * countPaths(['/a.html', '/img/*', '/b*']); // { files: 1, wildcards: 2 }
 */
export function countPaths(paths: readonly string[]): { files: number; wildcards: number } {
  let wildcards = 0;
  for (const p of paths) if (isWildcardPath(p)) wildcards += 1;
  return { files: paths.length - wildcards, wildcards };
}

/** true when a batch could never be accepted, even with nothing else in flight. */
export function exceedsInFlightLimits(
  need: { files: number; wildcards: number },
  limits: Pick<Limits, 'maxFilePathsInFlight' | 'maxWildcardsInFlight'>,
): boolean {
  return need.files > limits.maxFilePathsInFlight || need.wildcards > limits.maxWildcardsInFlight;
}

function chunk(items: readonly string[], size: number, index: number): string[] {
  return items.slice(index * size, (index + 1) * size);
}

/**
 * Splits paths into batches. Chunks depend only on the paths (batch i holds the i-th
 * `maxFilePathsInFlight` file paths and the i-th `maxWildcardsInFlight` wildcards), never on what is
 * in flight, so a redelivered event rebuilds the same batches and the same caller references, and
 * every batch fits the limits on its own: more than 15 wildcards (a plan of several wildcard rounds,
 * see plan.ts) become several batches, never one that could wait forever. What is in flight only decides which batches are `deferred`: the first
 * batch that does not fit the remaining headroom and every batch after it.
 *
 * @example
 * toBatches(['/a.html', '/img/*'], { maxFilePathsInFlight: 3000, maxWildcardsInFlight: 15, inFlight: { files: 0, wildcards: 15 } });
 * // [{ paths: ['/a.html', '/img/*'], filePaths: 1, wildcards: 1, deferred: true }]
 */
export function toBatches(
  paths: readonly string[],
  limits: Pick<Limits, 'maxFilePathsInFlight' | 'maxWildcardsInFlight' | 'inFlight'>,
): InvalidationBatch[] {
  const wildcards = paths.filter(isWildcardPath).sort();
  const files = paths.filter((p) => !isWildcardPath(p)).sort();
  // A limit of 0 wildcards admits none: one per batch, each deferred (reported, never merged away).
  const wildcardSize = Math.max(1, limits.maxWildcardsInFlight);
  const fileSize = limits.maxFilePathsInFlight;
  const count = Math.max(Math.ceil(files.length / fileSize), Math.ceil(wildcards.length / wildcardSize));
  let fileRoom = limits.maxFilePathsInFlight - limits.inFlight.files;
  let wildcardRoom = limits.maxWildcardsInFlight - limits.inFlight.wildcards;
  let deferring = false;
  const batches: InvalidationBatch[] = [];
  for (let i = 0; i < count; i++) {
    const batchFiles = chunk(files, fileSize, i);
    const batchWildcards = chunk(wildcards, wildcardSize, i);
    deferring ||= batchFiles.length > fileRoom || batchWildcards.length > wildcardRoom;
    if (!deferring) {
      fileRoom -= batchFiles.length;
      wildcardRoom -= batchWildcards.length;
    }
    batches.push({
      paths: [...batchFiles, ...batchWildcards].sort(),
      filePaths: batchFiles.length,
      wildcards: batchWildcards.length,
      deferred: deferring,
    });
  }
  return batches;
}
