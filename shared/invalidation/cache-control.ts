/**
 * `Cache-Control: immutable` (RFC 8246): the response "will not be updated while it's fresh", so
 * an object stored with it and a long max-age is, like a content-hashed asset, published under a
 * URL that never served other content. Its addition needs no invalidation; its modification or
 * deletion still does (whatever its header says, an older copy may be cached under the URL).
 */

/** "A long max-age": a year, the lifetime content-hashed assets are served with. */
export const IMMUTABLE_MIN_MAX_AGE_SECONDS = 31_536_000;

/** Directive names (lower case) and their values, from a Cache-Control header value. */
const directives = (header: string): Map<string, string | undefined> => {
  const out = new Map<string, string | undefined>();
  for (const part of header.split(',')) {
    const [name, ...rest] = part.trim().split('=');
    if (!name) continue;
    const value =
      rest.length > 0
        ? rest
            .join('=')
            .trim()
            .replace(/^"(.*)"$/, '$1')
        : undefined;
    out.set(name.trim().toLowerCase(), value);
  }
  return out;
};

const seconds = (value: string | undefined): number =>
  value !== undefined && /^\d+$/.test(value) ? Number(value) : 0;

/**
 * Whether a Cache-Control value marks the object immutable for at least a year: `immutable`, and
 * the shared caches' lifetime (`s-maxage`, else `max-age`) of IMMUTABLE_MIN_MAX_AGE_SECONDS or
 * more; never with `no-cache` or `no-store` (the object is revalidated or not stored at all).
 *
 * @example
 * isImmutableCacheControl('public, max-age=31536000, immutable'); // true
 * isImmutableCacheControl('max-age=60, immutable'); // false: not long-lived
 */
export const isImmutableCacheControl = (header: string | undefined): boolean => {
  if (header === undefined) return false;
  const d = directives(header);
  if (!d.has('immutable') || d.has('no-cache') || d.has('no-store')) return false;
  const lifetime = d.has('s-maxage') ? seconds(d.get('s-maxage')) : seconds(d.get('max-age'));
  return lifetime >= IMMUTABLE_MIN_MAX_AGE_SECONDS;
};
