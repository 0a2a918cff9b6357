import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidUrlPath,
  decodePath,
  decodeS3EventKey,
  encodePath,
  InvalidEventKeyError,
  InvalidPathError,
  UNSAFE_CHARACTERS,
  VERBATIM_PUNCTUATION,
} from '../../../shared/invalidation/index.ts';

describe('encodePath', () => {
  it.each([
    ['plain', '/docs/a.html', '/docs/a.html'],
    ['space', '/techniques/failures/413 Failure.html', '/techniques/failures/413%20Failure.html'],
    // AWS-FACTS "Paths" (2026-12 correction): a '*' that is not the last character is a literal.
    ['a literal star in the middle', '/a*b.html', '/a*b.html'],
    ['percent', '/100%.html', '/100%25.html'],
    ['double quote and angle brackets', '/a"<b>.html', '/a%22%3Cb%3E.html'],
    ['hash', '/a#b', '/a%23b'],
    ['braces pipe backslash caret', '/{a}|\\^', '/%7Ba%7D%7C%5C%5E'],
    ['square brackets and backtick', '/[x]`', '/%5Bx%5D%60'],
    ['latin-1', '/café.html', '/caf%C3%A9.html'],
    ['CJK', '/zh/数组.png', '/zh/%E6%95%B0%E7%BB%84.png'],
    ['emoji (astral)', '/🚀.svg', '/%F0%9F%9A%80.svg'],
    ['colon kept', '/a:b.html', '/a:b.html'],
    ['ampersand kept', '/a&b.html', '/a&b.html'],
    ['at kept', '/@scope/pkg', '/@scope/pkg'],
    ['plus kept (it is a plus in a path)', '/a+b.html', '/a+b.html'],
    ["sub-delims kept $-_.+!'(),=", "/$-_.+!'(),=", "/$-_.+!'(),="],
    ['semicolon kept', '/a;b', '/a;b'],
    ['question mark encoded (it would start a query)', '/a?b', '/a%3Fb'],
    ['trailing wildcard kept', '/img/*', '/img/*'],
    ['wildcard after unicode', '/über*', '/%C3%BCber*'],
    ['root', '/', '/'],
  ])('%s: %s → %s', (_name, url, expected) => {
    // Prepare / Act
    const encoded = encodePath(url);
    // Assess
    expect(encoded).toBe(expected);
    expect(decodePath(encoded)).toBe(url);
  });

  it.each([
    ['no leading slash', 'docs/a.html', "starting with '/'"],
    // CloudFront Developer Guide, "What you need to know when invalidating files": '~' is not
    // supported in invalidation paths, encoded or not.
    ['a tilde', '/~user/a.html', "no '~'"],
    ['control character', '/a\u0001b', 'no control characters'],
    ['newline', '/a\nb', 'no control characters'],
    ['DEL', '/a\u007fb', 'no control characters'],
    ['dot-dot segment', '/a/../b', "no '..' path segment"],
    ['trailing dot-dot', '/a/..', "no '..' path segment"],
    ['too long once encoded', `/${'é'.repeat(700)}`, 'at most 4000 characters'],
    ['lone surrogate', '/a\ud800', 'well-formed Unicode'],
  ])('rejects %s', (_name, url, expected) => {
    // Act
    const act = () => encodePath(url);
    // Assess
    expect(act).toThrow(InvalidPathError);
    expect(act).toThrow(expected);
    expect(act).toThrow(JSON.stringify(url));
  });

  it('accepts a path of exactly 4000 characters and dot segments that are not ..', () => {
    // Prepare
    const url = `/${'a'.repeat(3999)}`;
    // Act / Assess
    expect(encodePath(url)).toHaveLength(4000);
    expect(encodePath('/a/./..b/.../c')).toBe('/a/./..b/.../c');
  });

  it('names the path and the rule in the error', () => {
    // Act
    let caught: unknown;
    try {
      assertValidUrlPath('/x/../y');
    } catch (error) {
      caught = error;
    }
    // Assess
    expect(caught).toBeInstanceOf(InvalidPathError);
    expect((caught as InvalidPathError).name).toBe('InvalidPathError');
    expect((caught as InvalidPathError).path).toBe('/x/../y');
    expect((caught as InvalidPathError).expected).toBe("no '..' path segment");
  });
});

describe('decodeS3EventKey', () => {
  it.each([
    ['plus is a space', 'docs/my+file.html', 'docs/my file.html'],
    ['encoded plus is a plus', 'a%2Bb.html', 'a+b.html'],
    ['encoded space', 'a%20b.html', 'a b.html'],
    ['unicode', 'caf%C3%A9/%E6%95%B0.png', 'café/数.png'],
    ['colon, ampersand, at as S3 sends them', 'a%3Ab%26c%40d', 'a:b&c@d'],
    ['tilde', '%7Euser', '~user'],
    ['percent itself', '100%25.html', '100%.html'],
    ['already plain', 'docs/index.html', 'docs/index.html'],
  ])('%s: %s → %s', (_name, key, expected) => {
    // Act / Assess
    expect(decodeS3EventKey(key)).toBe(expected);
  });

  it('decodes before re-encoding, so nothing is encoded twice', () => {
    // Prepare
    const eventKey = 'techniques/failures/413+Failure%25.html';
    // Act
    const path = encodePath(`/${decodeS3EventKey(eventKey)}`);
    // Assess
    expect(path).toBe('/techniques/failures/413%20Failure%25.html');
  });

  it.each(['a%2', 'a%zz', '%E6%95'])('rejects the malformed key %s', (key) => {
    // Act / Assess
    expect(() => decodeS3EventKey(key)).toThrow(InvalidEventKeyError);
  });
});

describe('encoding properties', () => {
  const alphabet = [...'aZ09 ~%#?:@&+é中🚀/.-_$!\'(),=;[]{}|\\^`"<>'];
  const unit = fc.oneof(
    fc.constantFrom(...alphabet),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  );
  const validUrl = fc
    .array(fc.string({ unit }), { maxLength: 5 })
    .map((segments) => `/${segments.join('/')}`)
    .filter((url) => {
      try {
        assertValidUrlPath(url);
        return (
          !url.includes('*') && !/[\ud800-\udfff]/.test(url.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))
        );
      } catch {
        return false;
      }
    });

  it('round-trips: decodePath(encodePath(x)) === x', () => {
    fc.assert(
      fc.property(validUrl, (url) => {
        expect(decodePath(encodePath(url))).toBe(url);
      }),
    );
  });

  it('never escapes a character that must stay, and leaves no unsafe or non-ASCII character raw', () => {
    const verbatim = new Set(
      `${VERBATIM_PUNCTUATION}ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789`,
    );
    fc.assert(
      fc.property(validUrl, (url) => {
        // Act
        const encoded = encodePath(url);
        // Assess
        for (const match of encoded.matchAll(/%([0-9A-F]{2})/g)) {
          const byte = Number.parseInt(match[1]!, 16);
          if (byte < 0x80) expect(verbatim.has(String.fromCharCode(byte))).toBe(false);
        }
        expect(encoded).not.toMatch(/%[0-9A-F]?[a-f]/);
        for (const ch of encoded.replace(/%[0-9A-F]{2}/g, '')) {
          expect(ch.charCodeAt(0)).toBeLessThan(0x80);
          expect(UNSAFE_CHARACTERS.includes(ch)).toBe(false);
        }
      }),
    );
  });
});
