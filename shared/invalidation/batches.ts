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

/** true when an encoded path is a wildcard path (ends in `*`). */
export function isWildcardPath(path: string): boolean {
  return path.endsWith('*');
}

/**
 * Splits paths into batches. Chunks depend only on the paths (all wildcards plus the first
 * `maxFilePathsInFlight` file paths, then chunks of that size), never on what is in flight, so a
 * redelivered event rebuilds the same batches and the same caller references. What is in flight only
 * decides which batches are `deferred`: the first batch that does not fit the remaining headroom and
 * every batch after it.
 *
 * @example
 * toBatches(['/a.html', '/img/*'], { maxFilePathsInFlight: 3000, maxWildcardsInFlight: 15, inFlight: { files: 0, wildcards: 15 } });
 * // [{ paths: ['/a.html', '/img/*'], filePaths: 1, wildcards: 1, deferred: true }]
 */
export function toBatches(paths: readonly string[], limits: Limits): InvalidationBatch[] {
  const wildcards = paths.filter(isWildcardPath).sort();
  const files = paths.filter((p) => !isWildcardPath(p)).sort();
  const size = limits.maxFilePathsInFlight;
  const chunks: Array<{ files: string[]; wildcards: string[] }> = [];
  for (let start = 0; start === 0 || start < files.length; start += size) {
    chunks.push({ files: files.slice(start, start + size), wildcards: start === 0 ? wildcards : [] });
  }
  let fileRoom = limits.maxFilePathsInFlight - limits.inFlight.files;
  let wildcardRoom = limits.maxWildcardsInFlight - limits.inFlight.wildcards;
  let deferring = false;
  const batches: InvalidationBatch[] = [];
  for (const chunk of chunks) {
    if (chunk.files.length + chunk.wildcards.length === 0) continue;
    deferring ||= chunk.files.length > fileRoom || chunk.wildcards.length > wildcardRoom;
    if (!deferring) {
      fileRoom -= chunk.files.length;
      wildcardRoom -= chunk.wildcards.length;
    }
    batches.push({
      paths: [...chunk.files, ...chunk.wildcards].sort(),
      filePaths: chunk.files.length,
      wildcards: chunk.wildcards.length,
      deferred: deferring,
    });
  }
  return batches;
}
