import type { InvalidationPath } from './store.ts';

/** CloudFront's limit on one invalidation path. */
const MAX_PATH_LENGTH = 4000;

/**
 * RFC 1738 "unsafe" characters CloudFront requires to be percent-encoded. `%` is here too
 * but is handled apart: it is fine when it starts a valid `%XX` escape.
 */
const UNSAFE = new Set([' ', '"', '<', '>', '#', '{', '}', '|', '\\', '^', '[', ']', '`']);

/** Characters CloudFront wants left as they are; escaping one makes the path match nothing. */
const MUST_STAY_LITERAL = /^[A-Za-z0-9/*$\-_.+!'(),:@=&]$/;

export type PathCheck = { ok: true; value: InvalidationPath } | { ok: false; reason: string };

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** First under-encoded character of a path, or undefined when the path is encoded enough. */
const underEncoded = (path: string): string | undefined => {
  for (let i = 0; i < path.length; i++) {
    const c = path[i] ?? '';
    const code = c.charCodeAt(0);
    if (code < 0x21 || code > 0x7e) return c;
    if (UNSAFE.has(c)) return c;
    if (c === '%' && !(isHex(path[i + 1]) && isHex(path[i + 2]))) return c;
  }
  return undefined;
};

/** True when some `%XX` escape decodes to a character that should have stayed literal. */
const overEncoded = (path: string): boolean => {
  for (const match of path.matchAll(/%([0-9A-Fa-f]{2})/g)) {
    const decoded = String.fromCharCode(Number.parseInt(match[1] ?? '', 16));
    if (MUST_STAY_LITERAL.test(decoded)) return true;
  }
  return false;
};

/** A cache-tag item: `#` then the tag; whitespace or control characters are not part of a tag. */
const checkTag = (item: string): PathCheck => {
  const tag = item.slice(1);
  if (tag.length === 0) return { ok: false, reason: 'a cache tag item needs a tag after #' };
  const isSpaceOrControl = (c: string) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f || /\s/.test(c);
  if ([...tag].some(isSpaceOrControl)) {
    return { ok: false, reason: `cache tag ${item} contains whitespace or a control character` };
  }
  return { ok: true, value: { path: item, kind: 'tag', matchesNothing: false } };
};

/**
 * Validates one invalidation item as CloudFront does (AWS-FACTS "Paths" and "Encoding"):
 * starts with `/` (or `#` for a cache tag), `*` only at the end, at most 4,000 characters,
 * non-ASCII and unsafe characters percent-encoded. Over-encoding is not an error.
 */
export const checkInvalidationPath = (item: string): PathCheck => {
  if (item.length > MAX_PATH_LENGTH) return { ok: false, reason: `path longer than ${MAX_PATH_LENGTH}` };
  if (item.startsWith('#')) return checkTag(item);
  if (!item.startsWith('/')) return { ok: false, reason: `path ${item} does not start with /` };
  // CloudFront Developer Guide, "What you need to know when invalidating files": '~' is not
  // supported, encoded or not; the error code for it is InvalidArgument [unconfirmed].
  if (item.includes('~') || /%7E/i.test(item)) {
    return { ok: false, reason: `path ${item} contains ~, which CloudFront does not support` };
  }
  // AWS-FACTS "Paths" (2026-12 correction): only a last '*' is a wildcard; any other is a literal.
  const wildcard = item.endsWith('*');
  const bad = underEncoded(item);
  if (bad !== undefined) {
    return { ok: false, reason: `path ${item} has an unencoded ${JSON.stringify(bad)}` };
  }
  return {
    ok: true,
    value: { path: item, kind: wildcard ? 'wildcard' : 'file', matchesNothing: overEncoded(item) },
  };
};
