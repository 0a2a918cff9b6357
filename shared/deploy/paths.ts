import { decodePath, encodePath, InvalidPathError } from '../invalidation/index.ts';
import type { EventSource } from './errors.ts';
import { MalformedEventError } from './errors.ts';

/**
 * Explicit URL paths may arrive encoded (`/a%20b.html`) or not (`/a b.html`). Decoding then
 * re-encoding gives the one form CloudFront matches: never twice-encoded (which would be
 * accepted and invalidate nothing), never under-encoded (rejected).
 *
 * @example
 * canonicalPaths(['/a b.html', '/a%20b.html', '/docs/*'], 'cli', 'paths') // ['/a%20b.html', '/docs/*']
 */
export const canonicalPaths = (paths: readonly string[], source: EventSource, field: string): string[] => {
  const out = new Set<string>();
  const issues: string[] = [];
  for (const [i, path] of paths.entries()) {
    try {
      out.add(encodePath(decodePath(path)));
    } catch (error) {
      if (!(error instanceof InvalidPathError)) throw error;
      issues.push(`${field}[${i}]: ${error.message}`);
    }
  }
  if (issues.length > 0) throw new MalformedEventError(source, issues);
  return [...out];
};
