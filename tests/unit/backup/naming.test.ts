import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidBackupInput } from '../../../shared/backup/errors.ts';
import {
  copyImageClientToken,
  imageName,
  isValidAmiName,
  isValidExecutionName,
  onDemandExecutionName,
  runIdFromExecutionName,
  scheduledExecutionName,
  snapshotDescription,
} from '../../../shared/backup/naming.ts';

/** AMI name rule, written out independently of the module under test. */
const AMI_RULE = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;
const anyText = fc.string({ unit: 'binary', minLength: 1, maxLength: 120 });
const nameInput = fc.record({ policy: anyText, target: anyText, runId: anyText });

describe('imageName', () => {
  it.each([
    {
      name: 'plain components are kept as is',
      input: { policy: 'nightly', target: 'i-0123456789abcdef0', runId: 'nightly-2026-11-20' },
      expected: 'shipyard/nightly/i-0123456789abcdef0/nightly-2026-11-20',
    },
    {
      name: 'a component with a slash is sanitized and hashed',
      input: { policy: 'nightly', target: 'i-1', runId: 'a/b' },
      expected: /^shipyard\/nightly\/i-1\/a_b-[0-9a-f]{12}$/,
    },
    {
      name: 'invalid characters become _ plus a hash',
      input: { policy: 'nightly', target: 'i-1', runId: 'run#1:ü' },
      expected: /^shipyard\/nightly\/i-1\/run_1__-[0-9a-f]{12}$/,
    },
    {
      name: 'too long is truncated to 128 with a hash',
      input: { policy: 'p'.repeat(48), target: 'i-0123456789abcdef0', runId: 'r'.repeat(80) },
      expected: /^shipyard\/p{48}\/i-0123456789abcdef0\/r{37}-[0-9a-f]{12}$/,
    },
  ])('$name', ({ input, expected }) => {
    const name = imageName(input);
    if (typeof expected === 'string') expect(name).toBe(expected);
    else expect(name).toMatch(expected);
    expect(name.length).toBeLessThanOrEqual(128);
  });

  it('is always a valid AMI name (property)', () => {
    fc.assert(
      fc.property(nameInput, (input) => {
        const name = imageName(input);
        expect(name).toMatch(AMI_RULE);
        expect(isValidAmiName(name)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('is deterministic (property)', () => {
    fc.assert(
      fc.property(nameInput, (input) => {
        expect(imageName({ ...input })).toBe(imageName(input));
      }),
    );
  });

  it('gives different inputs different names (property)', () => {
    fc.assert(
      fc.property(nameInput, nameInput, (a, b) => {
        fc.pre(a.policy !== b.policy || a.target !== b.target || a.runId !== b.runId);
        expect(imageName(a)).not.toBe(imageName(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('does not collide when sanitizing maps different inputs to the same characters', () => {
    const names = ['a/b', 'a:b', 'a_b', 'a#b', 'a b'].map((runId) =>
      imageName({ policy: 'p', target: 't', runId }),
    );
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('snapshotDescription', () => {
  it('describes the backup', () => {
    expect(snapshotDescription({ policy: 'nightly', target: 'vol-1', runId: 'r1' })).toBe(
      'Shipyard backup of vol-1 (policy nightly, run r1)',
    );
  });

  it('stays within 255 characters without control characters (property)', () => {
    fc.assert(
      fc.property(nameInput, (input) => {
        const description = snapshotDescription(input);
        expect([...description].length).toBeLessThanOrEqual(255);
        expect(description).not.toMatch(/[\n\r\t]/);
      }),
    );
  });
});

describe('copyImageClientToken', () => {
  const base = { runId: 'nightly-2026-11-20', sourceImageId: 'ami-0123', destinationRegion: 'us-east-1' };

  it('is 64 ASCII characters and deterministic', () => {
    const token = copyImageClientToken(base);
    expect(token).toMatch(/^sy-[0-9a-f]{61}$/);
    expect(copyImageClientToken({ ...base })).toBe(token);
  });

  it.each([
    { runId: 'nightly-2026-11-21' },
    { sourceImageId: 'ami-0124' },
    { destinationRegion: 'us-west-2' },
  ])('changes when %j changes', (change) => {
    expect(copyImageClientToken({ ...base, ...change })).not.toBe(copyImageClientToken(base));
  });

  it('is unique per (run, image, region) (property)', () => {
    const tokenInput = fc.record({ runId: anyText, sourceImageId: anyText, destinationRegion: anyText });
    fc.assert(
      fc.property(tokenInput, tokenInput, (a, b) => {
        fc.pre(JSON.stringify(a) !== JSON.stringify(b));
        const [ta, tb] = [copyImageClientToken(a), copyImageClientToken(b)];
        expect(ta).not.toBe(tb);
        expect(ta.length).toBeLessThanOrEqual(64);
        expect(ta).toMatch(/^[\x21-\x7e]+$/);
      }),
    );
  });
});

describe('execution names', () => {
  it.each([
    // Berlin is UTC+1 in November: 23:30Z is already the next day there.
    { at: '2026-11-19T23:30:00Z', tz: 'Europe/Berlin', expected: 'nightly-2026-11-20' },
    { at: '2026-11-19T23:30:00Z', tz: 'UTC', expected: 'nightly-2026-11-19' },
    // New York, DST start (2026-03-08): 04:30Z is still 03-07 23:30 EST; 03:30Z on 03-09 is 03-08 23:30 EDT.
    { at: '2026-03-08T04:30:00Z', tz: 'America/New_York', expected: 'nightly-2026-03-07' },
    { at: '2026-03-09T03:30:00Z', tz: 'America/New_York', expected: 'nightly-2026-03-08' },
    // Berlin, DST end (2026-10-25): 22:30Z on 10-24 is 00:30 CEST on 10-25.
    { at: '2026-10-24T22:30:00Z', tz: 'Europe/Berlin', expected: 'nightly-2026-10-25' },
    { at: '2026-10-25T23:30:00Z', tz: 'Europe/Berlin', expected: 'nightly-2026-10-26' },
  ])('scheduledExecutionName($at, $tz) = $expected', ({ at, tz, expected }) => {
    expect(scheduledExecutionName('nightly', at, tz)).toBe(expected);
  });

  it('gives a duplicate trigger on the same local day the same name', () => {
    const first = scheduledExecutionName('nightly', '2026-11-20T01:00:00Z', 'Europe/Berlin');
    const retry = scheduledExecutionName('nightly', new Date('2026-11-20T01:07:42Z'), 'Europe/Berlin');
    expect(retry).toBe(first);
  });

  it('names on-demand runs by their UTC start', () => {
    expect(onDemandExecutionName('nightly', '2026-11-20T10:15:30.123Z')).toBe(
      'nightly-manual-20261120T101530Z',
    );
  });

  it('keeps the longest policy name (48) within 80 characters', () => {
    const policy = 'p'.repeat(48);
    expect(onDemandExecutionName(policy, '2026-11-20T10:15:30Z').length).toBeLessThanOrEqual(80);
    expect(scheduledExecutionName(policy, '2026-11-20T10:15:30Z', 'UTC').length).toBeLessThanOrEqual(80);
  });

  it.each([
    ['nightly-2026-11-20', true],
    ['a', true],
    ['x'.repeat(80), true],
    ['x'.repeat(81), false],
    ['', false],
    ['has space', false],
    ['a/b', false],
    ['a:b', false],
    ['tab\there', false],
    ['c1\u0085', false],
  ])('isValidExecutionName(%j) = %s', (name, expected) => {
    expect(isValidExecutionName(name)).toBe(expected);
  });

  it.each([
    () => scheduledExecutionName('nightly', 'not a date', 'UTC'),
    () => scheduledExecutionName('nightly', '2026-11-20T00:00:00Z', 'Mars/Olympus'),
    () => scheduledExecutionName('night ly', '2026-11-20T00:00:00Z', 'UTC'),
    () => runIdFromExecutionName('bad name'),
  ])('rejects invalid input (%#)', (call) => {
    expect(call).toThrow(InvalidBackupInput);
  });
});
