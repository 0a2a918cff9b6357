/**
 * CloudFront path matching, on decoded forms.
 */
import { decodePath } from './path-encoding.ts';

/**
 * true when invalidation path `path` (encoded, as sent to CloudFront) covers the URL `url` (decoded, as
 * built from a key): they are equal, or `path` ends in `*` and `url` starts with `path` minus the `*`.
 * The comparison is on decoded forms and case-sensitive.
 *
 * @example
 * pathCovers('/docs*', '/docs-old/a.html'); // true
 * pathCovers('/docs/*', '/docs');           // false
 * pathCovers('/caf%C3%A9/*', '/café/a');    // true
 */
export function pathCovers(path: string, url: string): boolean {
  const p = decodePath(path);
  return p.endsWith('*') ? url.startsWith(p.slice(0, -1)) : p === url;
}
