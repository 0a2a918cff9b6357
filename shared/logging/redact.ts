/** Keys whose values never reach a log line. */
const SECRET_KEY = /secret|signature|password|token|authorization|credential|x-hub-signature|cookie/i;
/** Keys that carry whole request bodies (webhook payloads): logged as their size only. */
const BODY_KEY = /^(body|rawBody|payload)$/i;

export const REDACTED = '[redacted]';

/**
 * JSON.stringify replacer that masks secrets and shrinks raw bodies. Used by the logger so
 * that no code path can log a webhook secret or a full payload by accident.
 *
 * @example
 * JSON.stringify({ token: 'abc', body: 'x'.repeat(9) }, redactReplacer) // {"token":"[redacted]","body":"[9 bytes]"}
 */
export const redactReplacer = (key: string, value: unknown): unknown => {
  if (key && SECRET_KEY.test(key) && value !== undefined && value !== null && typeof value !== 'object') return REDACTED;
  if (key && SECRET_KEY.test(key) && typeof value === 'object' && value !== null) return REDACTED;
  if (key && BODY_KEY.test(key) && typeof value === 'string') return `[${Buffer.byteLength(value)} bytes]`;
  return value;
};
