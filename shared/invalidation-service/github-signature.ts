import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/**
 * Checks GitHub's `X-Hub-Signature-256` header: `sha256=` + hex HMAC-SHA256 of the raw body
 * with the webhook secret. Constant-time: the comparison takes as long whatever the mismatch.
 *
 * @example
 * verifyGithubSignature(Buffer.from('{}'), 'sha256=…', 'secret') // true or false
 */
export const verifyGithubSignature = (
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
): boolean => {
  if (!header?.startsWith(PREFIX)) return false;
  const hex = header.slice(PREFIX.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
};

/** The header GitHub would send for this body and secret (tests, rehearsals). */
export const githubSignature = (rawBody: Buffer | string, secret: string): string =>
  `${PREFIX}${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
