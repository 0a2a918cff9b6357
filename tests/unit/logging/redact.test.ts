import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../shared/logging/logger.ts';
import { REDACTED, redactReplacer } from '../../../shared/logging/redact.ts';

const redact = (value: unknown) => JSON.parse(JSON.stringify(value, redactReplacer));

describe('redactReplacer', () => {
  it.each([
    ['webhookSecret', 's3cr3t'],
    ['x-hub-signature-256', 'sha256=abc'],
    ['X-Hub-Signature-256', 'sha256=abc'],
    ['authorization', 'Bearer abc'],
    ['Cookie', 'session=1'],
    ['password', 'hunter2'],
    ['sessionToken', 'tok'],
    ['credentials', { accessKeyId: 'AKIA', secretAccessKey: 'x' }],
    ['x-api-key', 'k'],
  ])('masks %s', (key, value) => {
    expect(redact({ [key]: value })).toEqual({ [key]: REDACTED });
  });

  it('masks secrets at any depth, in objects and arrays', () => {
    const input = {
      request: { headers: { 'x-github-delivery': 'd-1', 'x-hub-signature-256': 'sha256=abc' } },
      sites: [{ name: 'web', repo: { webhookSecret: { ssmParameter: '/p' } } }],
    };
    expect(redact(input)).toEqual({
      request: { headers: { 'x-github-delivery': 'd-1', 'x-hub-signature-256': REDACTED } },
      sites: [{ name: 'web', repo: { webhookSecret: REDACTED } }],
    });
  });

  it('shrinks bodies to their size: strings, buffers and parsed payloads', () => {
    const payload = { ref: 'refs/heads/main', commits: [] };
    expect(
      redact({
        body: 'é'.repeat(3),
        event: { rawBody: Buffer.from('12345') },
        payload,
      }),
    ).toEqual({
      body: '[6 bytes]',
      event: { rawBody: '[5 bytes]' },
      payload: `[${JSON.stringify(payload).length} bytes]`,
    });
  });

  it('leaves everything else untouched, including null and non-secret keys that look close', () => {
    const input = { signed: true, deployId: 'abc', bodyCount: 3, token: null, paths: ['/a'] };
    expect(redact(input)).toEqual(input);
  });
});

describe('createLogger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes no secret and no full body, whatever the call site passes', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const logger = createLogger('redaction-test');
    logger.setLogLevel('INFO');
    logger.info('webhook', { headers: { 'X-Hub-Signature-256': 'sha256=deadbeef' }, body: '{"secret":"x"}' });
    const output = lines.join('');
    expect(output).not.toContain('deadbeef');
    expect(output).not.toContain('"secret"');
    expect(output).toContain('[14 bytes]');
  });
});
