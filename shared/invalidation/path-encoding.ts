/**
 * CloudFront invalidation path encoding (AWS-FACTS.md, "Encoding"): only non-ASCII bytes (UTF-8) and
 * the RFC 1738 "unsafe" characters are percent-encoded, as uppercase `%XX`. Everything CloudFront wants
 * verbatim stays verbatim: an over-encoded path is accepted by the API but invalidates nothing.
 */
import { InvalidEventKeyError, InvalidPathError } from './errors.ts';

/** Longest path CloudFront accepts, in characters of the encoded path. */
export const MAX_PATH_LENGTH = 4000;

/**
 * RFC 1738 "unsafe" characters: always encoded. RFC 1738 lists `~` too, but CloudFront does not
 * accept it at all (see {@link UNSUPPORTED_CHARACTER}).
 */
export const UNSAFE_CHARACTERS = ' "<>#%{}|\\^[]`';

/**
 * CloudFront Developer Guide, "What you need to know when invalidating files": `~` is not supported
 * in invalidation paths, URL-encoded or not. A URL containing it can only be covered by a wildcard
 * that ends before it ({@link wildcardBefore}).
 */
export const UNSUPPORTED_CHARACTER = '~';

const RESERVED_ESCAPE = /%2[AaFf]/g;

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
 * starts with `/`, no `~`, no control character, no `..` segment. A `*` anywhere but last is a
 * literal character (AWS-FACTS "Paths"); a last `*` is the wildcard.
 * Throws {@link InvalidPathError} naming the path and what was expected.
 *
 * @example
 * assertValidUrlPath('/docs/*');   // ok
 * assertValidUrlPath('/a*b.html'); // ok: a literal '*'
 * assertValidUrlPath('/a/../b');   // throws InvalidPathError
 */
export function assertValidUrlPath(url: string): void {
  if (!url.startsWith('/')) throw new InvalidPathError(url, "a path starting with '/'");
  if (url.includes(UNSUPPORTED_CHARACTER)) {
    throw new InvalidPathError(
      url,
      "no '~' (CloudFront does not support it in invalidation paths, encoded or not)",
    );
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
 * encodePath('/docs/a b.html');  // '/docs/a%20b.html'
 * encodePath('/a~b.html');        // throws InvalidPathError ('~' is not supported)
 * encodePath('/café/*');          // '/caf%C3%A9/*'
 * encodePath("/a:b@c=d&e+f(1)'!"); // unchanged
 */
export function encodePath(url: string): string {
  assertValidUrlPath(url);
  return checkedLength(url, encodeText(url, url));
}

function encodeText(text: string, url: string): string {
  if (ALL_VERBATIM.test(text)) return text;
  let encoded = '';
  for (const ch of text) encoded += encodeCharacter(ch, url);
  return encoded;
}

function checkedLength(url: string, encoded: string): string {
  if (encoded.length > MAX_PATH_LENGTH) {
    throw new InvalidPathError(
      url,
      `at most ${MAX_PATH_LENGTH} characters once encoded (got ${encoded.length})`,
    );
  }
  return encoded;
}

/**
 * The canonical form of an explicit path (as an operator or event gives it, encoded or not):
 * decoded and re-encoded so that it is never twice-encoded nor under-encoded, except for the
 * {@link RESERVED_ESCAPES}, kept (upper-cased): `/a%2Ab` names the key `a*b` requested encoded,
 * not a wildcard, and `/a%2Fb` one segment, not two.
 *
 * @example
 * canonicalExplicitPath('/a b.html');   // '/a%20b.html'
 * canonicalExplicitPath('/a%20b.html'); // '/a%20b.html'
 * canonicalExplicitPath('/a%2ab');      // '/a%2Ab'
 */
export function canonicalExplicitPath(path: string): string {
  const pieces = path.split(RESERVED_ESCAPE).map(decodePath);
  const escapes = (path.match(RESERVED_ESCAPE) ?? []).map((e) => e.toUpperCase());
  // Validated with a neutral stand-in for each kept escape: it is neither a '/' nor a '*'.
  const url = pieces.join('x');
  assertValidUrlPath(url);
  let encoded = '';
  for (const [i, piece] of pieces.entries()) encoded += encodeText(piece, url) + (escapes[i] ?? '');
  return checkedLength(path, encoded);
}

/**
 * The narrowest wildcard that covers a URL CloudFront cannot name exactly: its prefix up to the
 * first `~` ({@link UNSUPPORTED_CHARACTER}) or up to a last `*` (a key ending in `*` would read as a
 * wildcard anyway), followed by `*`. null when the URL can be named exactly.
 *
 * @example
 * wildcardBefore('/docs/a~b.html'); // '/docs/a*'
 * wildcardBefore('/~user/');        // '/*'
 * wildcardBefore('/sale*');         // '/sale*'
 * wildcardBefore('/a*b.html');      // null
 */
export function wildcardBefore(url: string): string | null {
  const tilde = url.indexOf(UNSUPPORTED_CHARACTER);
  if (tilde !== -1) return `${url.slice(0, tilde)}*`;
  return url.endsWith('*') ? url : null;
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
