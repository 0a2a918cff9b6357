/**
 * Content-hashed assets (`assets/app.3f9a1c2e.js`): the name changes with the content, so a newly
 * added one was never cached under its URL and needs no invalidation. Its modification or deletion
 * still does (the URL may be cached).
 */
import type { ObjectChange } from './schemas.ts';

/**
 * Whether a change is the addition of a content-hashed key: `patterns` are regular expressions
 * matched against the whole key relative to the site's key prefix.
 *
 * @example
 * isNewContentHashed({ key: 'site/assets/app.3f9a1c2e.js', change: 'added' }, 'site/', ['assets/.*\\.[0-9a-f]{8}\\..*']); // true
 * isNewContentHashed({ key: 'site/assets/app.3f9a1c2e.js', change: 'modified' }, 'site/', ['assets/.*\\.[0-9a-f]{8}\\..*']); // false
 */
export function isNewContentHashed(
  change: ObjectChange,
  keyPrefix: string,
  patterns: readonly string[],
): boolean {
  if (change.change !== 'added' || !change.key.startsWith(keyPrefix)) return false;
  const relative = change.key.slice(keyPrefix.length);
  return patterns.some((pattern) => new RegExp(`^(?:${pattern})$`, 'u').test(relative));
}
