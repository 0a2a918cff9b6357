/**
 * RFC 8246, "HTTP Immutable Responses" (https://www.rfc-editor.org/rfc/rfc8246): the `immutable`
 * Cache-Control extension says the response "will not be updated while it's fresh"; MDN,
 * Cache-Control (https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Cache-Control#immutable):
 * used with a long max-age for versioned (cache-busted) URLs, e.g. `max-age=31536000, immutable`.
 * Directive names are case-insensitive (RFC 9111 §5.2); `s-maxage` overrides `max-age` for shared
 * caches such as CloudFront (RFC 9111 §5.2.2.10); `no-cache` / `no-store` rule it out.
 */
import { describe, expect, it } from 'vitest';
import {
  IMMUTABLE_MIN_MAX_AGE_SECONDS,
  isImmutableCacheControl,
} from '../../../shared/invalidation/index.ts';

describe('isImmutableCacheControl', () => {
  it.each([
    ['public, max-age=31536000, immutable', true],
    ['max-age=31536000,immutable', true],
    ['Max-Age=63072000, IMMUTABLE', true],
    ['immutable, max-age="31536000"', true],
    ['max-age=60, s-maxage=31536000, immutable', true],
    ['max-age=31536000, s-maxage=60, immutable', false],
    [`max-age=${IMMUTABLE_MIN_MAX_AGE_SECONDS - 1}, immutable`, false],
    ['max-age=31536000', false],
    ['immutable', false],
    ['max-age=31536000, immutable, no-cache', false],
    ['no-store, max-age=31536000, immutable', false],
    ['max-age=abc, immutable', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (header, expected) => {
    expect(isImmutableCacheControl(header)).toBe(expected);
  });
});
