import {
  assertValidUrlPath,
  canonicalExplicitPath,
  decodePath,
  encodePath,
  InvalidPathError,
  MAX_PATH_LENGTH,
} from '../invalidation/index.ts';
import type { EventSource } from './errors.ts';
import { MalformedEventError } from './errors.ts';

/**
 * One explicit path in the form CloudFront matches. A literal `?` starts the query string, which
 * an operator includes when it is part of the cache key (AWS-FACTS, "Query strings"): it must
 * reach CloudFront as `?`, not as the `%3F` a key containing `?` needs, or the invalidation is
 * accepted and drops nothing. Path and query are canonicalised separately (the query keeps any
 * further `?`); a key's own `?` is given encoded (`/a%3Fb`) and stays so.
 */
const canonicalPath = (path: string): string => {
  const mark = path.indexOf('?');
  if (mark === -1) return canonicalExplicitPath(path);
  const query = encodePath(`/${decodePath(path.slice(mark + 1))}`)
    .slice(1)
    .replaceAll('%3F', '?');
  const whole = `${canonicalExplicitPath(path.slice(0, mark))}?${query}`;
  // The rules ('*' only last, length) hold for the whole path, query included.
  assertValidUrlPath(whole);
  if (whole.length > MAX_PATH_LENGTH) {
    throw new InvalidPathError(
      path,
      `at most ${MAX_PATH_LENGTH} characters once encoded (got ${whole.length})`,
    );
  }
  return whole;
};

/**
 * Explicit URL paths may arrive encoded (`/a%20b.html`) or not (`/a b.html`). Decoding then
 * re-encoding gives the one form CloudFront matches: never twice-encoded (which would be
 * accepted and invalidate nothing), never under-encoded (rejected). `%2A` and `%2F` keep their
 * meaning (a literal `*`, not a wildcard; a character, not a slash): they are kept as given.
 *
 * @example
 * canonicalPaths(['/a b.html', '/a%20b.html', '/docs/*', '/app.js?v=2'], 'cli', 'paths') // ['/a%20b.html', '/docs/*', '/app.js?v=2']
 */
export const canonicalPaths = (paths: readonly string[], source: EventSource, field: string): string[] => {
  const out = new Set<string>();
  const issues: string[] = [];
  for (const [i, path] of paths.entries()) {
    try {
      out.add(canonicalPath(path));
    } catch (error) {
      if (!(error instanceof InvalidPathError)) throw error;
      issues.push(`${field}[${i}]: ${error.message}`);
    }
  }
  if (issues.length > 0) throw new MalformedEventError(source, issues);
  return [...out];
};
