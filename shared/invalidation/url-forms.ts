/**
 * From S3 keys to the URLs CloudFront caches them under (decoded form; encode with `encodePath`).
 */
import { InvalidPathError } from './errors.ts';
import { assertValidUrlPath, encodePath } from './path-encoding.ts';
import type { SiteMapping } from './schemas.ts';

/** The URLs a key is served under, or why the distribution does not serve it. */
export type KeyUrls =
  | { readonly served: true; readonly urls: readonly string[] }
  | { readonly served: false; readonly reason: string };

/**
 * Turns an origin path (`/site`, `site/`, `/site/`, '') into the key prefix it selects ('site/' or '').
 *
 * @example
 * normalizeKeyPrefix('/site'); // 'site/'
 * normalizeKeyPrefix('/');     // ''
 */
export function normalizeKeyPrefix(originPath: string): string {
  const trimmed = originPath.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/**
 * Every URL a key is served under: `/key`; for a directory index `d/index.html` also `/d/` and `/d`;
 * for the default root object also `/`. Keys outside the origin path (the key prefix) are not served
 * by the distribution; keys whose URL CloudFront cannot invalidate are reported with the reason.
 * The first URL is always the object's own URL (`/key`).
 *
 * @example
 * urlFormsOfKey('site/docs/index.html', { keyPrefix: 'site/', indexDocument: 'index.html', defaultRootObject: 'index.html' });
 * // { served: true, urls: ['/docs/index.html', '/docs/', '/docs'] }
 */
export function urlFormsOfKey(key: string, site: SiteMapping): KeyUrls {
  const prefix = normalizeKeyPrefix(site.keyPrefix);
  if (!key.startsWith(prefix)) {
    return { served: false, reason: `outside the origin path: only keys under '${prefix}' are served` };
  }
  const rel = key.slice(prefix.length);
  if (rel === '')
    return { served: false, reason: 'the origin path itself (a folder marker), not a served object' };
  const own = `/${rel}`;
  if (own.includes('*')) {
    return {
      served: false,
      reason: "contains '*', which CloudFront reads as a wildcard: invalidate it by hand",
    };
  }
  try {
    assertValidUrlPath(own);
    encodePath(own);
  } catch (error) {
    if (error instanceof InvalidPathError)
      return { served: false, reason: `cannot be invalidated: ${error.message}` };
    throw error;
  }
  return { served: true, urls: urlFormsOfRelativeKey(rel, site) };
}

/**
 * The URL forms of a key relative to the origin path, without validation (used for the inventory,
 * where every object counts, whatever its name). The first URL is the object's own URL.
 *
 * @example
 * urlFormsOfRelativeKey('index.html', { keyPrefix: '', indexDocument: 'index.html', defaultRootObject: 'index.html' });
 * // ['/index.html', '/']
 */
export function urlFormsOfRelativeKey(rel: string, site: SiteMapping): string[] {
  const urls = [`/${rel}`];
  const index = site.indexDocument;
  if (index !== null && rel.endsWith(`/${index}`)) {
    const dir = rel.slice(0, rel.length - index.length);
    urls.push(`/${dir}`, `/${dir.slice(0, -1)}`);
  }
  if (site.defaultRootObject !== null && rel === site.defaultRootObject) urls.push('/');
  return urls;
}
