/**
 * CloudFront path matching, on decoded forms.
 */
import { isWildcardPath } from './batches.ts';
import { decodePath } from './path-encoding.ts';

/**
 * true when invalidation path `path` (encoded, as sent to CloudFront) covers the URL `url` (decoded, as
 * built from a key): they are equal, or `path` ends in `*` and `url` starts with `path` minus the `*`.
 * Whether `path` is a wildcard is read on the encoded form (`%2A` is a literal `*`, never a
 * wildcard); the comparison is on decoded forms and case-sensitive.
 *
 * @example
 * pathCovers('/docs*', '/docs-old/a.html'); // true
 * pathCovers('/docs/*', '/docs');           // false
 * pathCovers('/caf%C3%A9/*', '/café/a');    // true
 * pathCovers('/sale%2A', '/sale-2026');     // false: '%2A' is no wildcard
 */
export function pathCovers(path: string, url: string): boolean {
  if (isWildcardPath(path)) return url.startsWith(decodePath(path.slice(0, -1)));
  return decodePath(path) === url;
}
