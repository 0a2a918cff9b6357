/**
 * CloudFront invalidation path encoding (AWS-FACTS.md, "Encoding"): only non-ASCII bytes (UTF-8) and
 * the RFC 1738 "unsafe" characters are percent-encoded, as uppercase `%XX`. Everything CloudFront wants
 * verbatim stays verbatim: an over-encoded path is accepted by the API but invalidates nothing.
 */
import { InvalidEventKeyError, InvalidPathError } from './errors.ts';

/** Longest path CloudFront accepts, in characters of the encoded path. */
export const MAX_PATH_LENGTH = 4000;

/** RFC 1738 "unsafe" characters: always encoded. */
export const UNSAFE_CHARACTERS = ' ~"<>#%{}|\\^[]`';

/**
 * ASCII punctuation that CloudFront wants left as is (besides alphanumerics). `;` is in none of the
 * documented lists; it is a legal path character, so it is left as is too (never over-encode).
 */
export const VERBATIM_PUNCTUATION = "/*$-_.+!'(),:@=&;";

/**
 * `?` is not "unsafe" in RFC 1738 but starts the query string: a key containing `?` is only reachable
 * as `%3F`, so it is encoded (a literal `?` would name a different URL).
 */
const QUERY_MARK = '?';

const ALL_VERBATIM = /^[A-Za-z0-9/*$\-_.+!'(),:@=&;]*$/;

/** Index of the first C0/C1 control character (or DEL), -1 when there is none. */
function controlCharacterAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return i;
  }
  return -1;
}

function hex(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

function encodeCharacter(ch: string, url: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x80) {
    if (UNSAFE_CHARACTERS.includes(ch) || ch === QUERY_MARK) return hex(code);
    return ch;
  }
  try {
    // encodeURIComponent emits the UTF-8 bytes as uppercase %XX; it throws on lone surrogates.
    return encodeURIComponent(ch);
  } catch (error) {
    throw new InvalidPathError(url, 'well-formed Unicode (no lone surrogate)', { cause: error });
  }
}

/**
 * Checks the rules a decoded URL path must meet before it can become an invalidation path:
 * starts with `/`, `*` only as the last character, no control character, no `..` segment.
 * Throws {@link InvalidPathError} naming the path and what was expected.
 *
 * @example
 * assertValidUrlPath('/docs/*'); // ok
 * assertValidUrlPath('/a/../b'); // throws InvalidPathError
 */
export function assertValidUrlPath(url: string): void {
  if (!url.startsWith('/')) throw new InvalidPathError(url, "a path starting with '/'");
  const star = url.indexOf('*');
  if (star !== -1 && star !== url.length - 1) {
    throw new InvalidPathError(url, "'*' only as the last character");
  }
  const control = controlCharacterAt(url);
  if (control !== -1) {
    const code = url.charCodeAt(control).toString(16).toUpperCase().padStart(2, '0');
    throw new InvalidPathError(url, `no control characters (found U+00${code})`);
  }
  if (url.split('/').includes('..')) throw new InvalidPathError(url, "no '..' path segment");
}

/**
 * Encodes a decoded URL path (as built from an S3 key) into a CloudFront invalidation path. Validates
 * it first ({@link assertValidUrlPath}) and checks the encoded length (≤ 4,000).
 *
 * @example
 * encodePath('/docs/a b~c.html'); // '/docs/a%20b%7Ec.html'
 * encodePath('/café/*');          // '/caf%C3%A9/*'
 * encodePath("/a:b@c=d&e+f(1)'!"); // unchanged
 */
export function encodePath(url: string): string {
  assertValidUrlPath(url);
  let encoded = url;
  if (!ALL_VERBATIM.test(url)) {
    encoded = '';
    for (const ch of url) encoded += encodeCharacter(ch, url);
  }
  if (encoded.length > MAX_PATH_LENGTH) {
    throw new InvalidPathError(
      url,
      `at most ${MAX_PATH_LENGTH} characters once encoded (got ${encoded.length})`,
    );
  }
  return encoded;
}

/**
 * Decodes an invalidation path back to the URL it names (`%XX` escapes as UTF-8; `+` stays `+`).
 * Inverse of {@link encodePath}: `decodePath(encodePath(u)) === u`.
 *
 * @example
 * decodePath('/caf%C3%A9/a%20b.html'); // '/café/a b.html'
 */
export function decodePath(path: string): string {
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch (error) {
    throw new InvalidPathError(path, "well-formed '%XX' escapes of UTF-8", { cause: error });
  }
}

/**
 * Decodes an object key as it arrives in an S3 event notification (form-encoded: `+` for space,
 * `%XX` for the rest). Decode before building URLs, or the paths get encoded twice.
 *
 * @example
 * decodeS3EventKey('docs/my+file%2B1.html'); // 'docs/my file+1.html'
 * decodeS3EventKey('%E4%B8%AD%E6%96%87/a.png'); // '中文/a.png'
 */
export function decodeS3EventKey(key: string): string {
  const spaced = key.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch (error) {
    throw new InvalidEventKeyError(key, { cause: error });
  }
}
