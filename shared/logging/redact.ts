/** Keys whose values never reach a log line (header names included: x-hub-signature-256, authorization, cookie). */
const SECRET_KEY =
  /secret|signature|password|token|authorization|credential|cookie|api[-_]?key|private[-_]?key/i;
/** Keys that carry whole request bodies (webhook payloads): logged as their size only. */
const BODY_KEY = /^(body|rawBody|payload)$/i;

export const REDACTED = '[redacted]';

/** A Buffer reaches the replacer already turned into `{ type: 'Buffer', data: [...] }` by its toJSON. */
const isSerializedBuffer = (value: object): value is { type: 'Buffer'; data: unknown[] } =>
  'type' in value && value.type === 'Buffer' && 'data' in value && Array.isArray(value.data);

const sizeOf = (value: unknown): number => {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'object' && value !== null && isSerializedBuffer(value)) return value.data.length;
  return Buffer.byteLength(JSON.stringify(value) ?? '');
};

/**
 * JSON.stringify replacer that masks secrets and shrinks raw bodies (strings, buffers or parsed
 * payloads alike). Used by the logger so that no code path can log a webhook secret or a full
 * payload by accident; it applies at every depth because JSON.stringify calls it for every key.
 *
 * @example
 * JSON.stringify({ token: 'abc', body: 'x'.repeat(9) }, redactReplacer) // {"token":"[redacted]","body":"[9 bytes]"}
 */
export const redactReplacer = (key: string, value: unknown): unknown => {
  if (key === '' || value === undefined || value === null) return value;
  if (SECRET_KEY.test(key)) return REDACTED;
  if (BODY_KEY.test(key)) return `[${sizeOf(value)} bytes]`;
  return value;
};
