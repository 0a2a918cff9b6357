/**
 * From S3 keys to the URLs CloudFront caches them under (decoded form; encode with `encodePath`).
 */
import { InvalidPathError } from './errors.ts';
import { assertValidUrlPath, encodePath, UNSUPPORTED_CHARACTER } from './path-encoding.ts';
import type { ChangeKind, DirectoryUrls, FormRule, SiteMapping } from './schemas.ts';

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

/** Why a key's own URL cannot be invalidated at all, or undefined when it can be covered. */
function uncoverableReason(own: string): string | undefined {
  try {
    // A '~' is covered by a wildcard ending before it (wildcardBefore); every other rule holds for
    // the whole URL, so it is checked with the '~' standing for an ordinary character.
    const checked = own.replaceAll(UNSUPPORTED_CHARACTER, '-');
    assertValidUrlPath(checked);
    encodePath(checked);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidPathError) return `cannot be invalidated: ${error.message}`;
    throw error;
  }
}

/**
 * Every URL a key is served under: `/key`; for a directory index `d/index.html` also `/d/` and `/d`
 * as far as the site's `directoryUrls` say they are cache keys (for this kind of change); for the
 * default root object also `/`. Keys outside the origin path (the key prefix) are not served by the
 * distribution; keys whose URL CloudFront cannot invalidate are reported with the reason. URLs may
 * contain characters no exact path can name (`~`, a last `*`): the planner covers those with
 * `wildcardBefore`. The first URL is always the object's own URL (`/key`).
 *
 * @example
 * urlFormsOfKey('site/docs/index.html', SiteMappingSchema.parse({ keyPrefix: 'site/' }));
 * // { served: true, urls: ['/docs/index.html', '/docs/', '/docs'] }
 */
export function urlFormsOfKey(key: string, site: SiteMapping, change: ChangeKind = 'modified'): KeyUrls {
  const prefix = normalizeKeyPrefix(site.keyPrefix);
  if (!key.startsWith(prefix)) {
    return { served: false, reason: `outside the origin path: only keys under '${prefix}' are served` };
  }
  const rel = key.slice(prefix.length);
  if (rel === '')
    return { served: false, reason: 'the origin path itself (a folder marker), not a served object' };
  const reason = uncoverableReason(`/${rel}`);
  if (reason !== undefined) return { served: false, reason };
  return { served: true, urls: urlFormsOfRelativeKey(rel, site, change) };
}

function applies(rule: FormRule, change: ChangeKind | 'unchanged'): boolean {
  if (rule === 'always') return true;
  return rule === 'on-add-or-delete' && (change === 'added' || change === 'deleted');
}

/**
 * The URL forms of a key relative to the origin path, without validation (used for the inventory,
 * where every object counts, whatever its name: pass 'unchanged'). The first URL is the object's own.
 *
 * @example
 * urlFormsOfRelativeKey('index.html', SiteMappingSchema.parse({}));
 * // ['/index.html', '/']
 */
export function urlFormsOfRelativeKey(
  rel: string,
  site: Pick<SiteMapping, 'indexDocument' | 'defaultRootObject'> & { directoryUrls: DirectoryUrls },
  change: ChangeKind | 'unchanged' = 'modified',
): string[] {
  const urls = [`/${rel}`];
  const index = site.indexDocument;
  if (index !== null && rel.endsWith(`/${index}`)) {
    const dir = rel.slice(0, rel.length - index.length);
    if (applies(site.directoryUrls.slash, change)) urls.push(`/${dir}`);
    if (applies(site.directoryUrls.bare, change)) urls.push(`/${dir.slice(0, -1)}`);
  }
  if (site.defaultRootObject !== null && rel === site.defaultRootObject) urls.push('/');
  return urls;
}
