import { describe, expect, it } from 'vitest';
import { targetPayload } from '../../src/services/eventbridge/input.ts';
import { checkPattern, matchesPattern, PatternError } from '../../src/services/eventbridge/pattern.ts';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'Step Functions Execution Status Change',
  source: 'aws.states',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:states:us-east-1:123456789012:execution:m:run-1'],
  detail: {
    name: 'run-1',
    status: 'SUCCEEDED',
    output: '{"ok":true}',
    cause: null,
    size: 12,
    tags: ['a', 'b'],
  },
};

describe('matchesPattern', () => {
  it.each([
    [
      'exact values',
      { source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'] },
      true,
    ],
    ['a value not in the list', { source: ['shipyard'] }, false],
    ['nested detail fields', { detail: { status: ['FAILED', 'SUCCEEDED'] } }, true],
    ['prefix', { detail: { name: [{ prefix: 'run-' }] } }, true],
    ['suffix', { detail: { name: [{ suffix: '-2' }] } }, false],
    ['anything-but a value', { detail: { status: [{ 'anything-but': 'FAILED' }] } }, true],
    ['anything-but a list', { detail: { status: [{ 'anything-but': ['SUCCEEDED'] }] } }, false],
    ['anything-but a prefix', { detail: { name: [{ 'anything-but': { prefix: 'run' } }] } }, false],
    ['exists true', { detail: { output: [{ exists: true }] } }, true],
    ['exists false on a present field', { detail: { output: [{ exists: false }] } }, false],
    ['exists false on an absent field', { detail: { error: [{ exists: false }] } }, true],
    ['numeric range', { detail: { size: [{ numeric: ['>', 10, '<=', 12] }] } }, true],
    ['numeric out of range', { detail: { size: [{ numeric: ['<', 10] }] } }, false],
    ['null', { detail: { cause: [null] } }, true],
    ['an array field matches any element', { detail: { tags: ['b'] } }, true],
    ['equals-ignore-case', { detail: { status: [{ 'equals-ignore-case': 'succeeded' }] } }, true],
    ['$or', { $or: [{ source: ['x'] }, { detail: { name: ['run-1'] } }] }, true],
    ['a nested pattern on a missing object', { detail: { nested: { a: ['b'] } } }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(checkPattern(pattern), event)).toBe(expected);
  });

  it('refuses a malformed pattern', () => {
    expect(() => checkPattern({ source: 'aws.states' })).toThrow(PatternError);
    expect(() => checkPattern({ source: [{ bogus: 1 }] })).toThrow(/unknown pattern operator bogus/);
  });
});

describe('targetPayload', () => {
  it('sends the whole event by default, a constant Input, or what InputPath selects', () => {
    expect(JSON.parse(targetPayload(event, {}))).toEqual(event);
    expect(targetPayload(event, { Input: '{"fixed":1}' })).toBe('{"fixed":1}');
    expect(JSON.parse(targetPayload(event, { InputPath: '$.detail' }))).toEqual(event.detail);
    expect(JSON.parse(targetPayload(event, { InputPath: '$.resources[0]' }))).toBe(event.resources[0]);
  });

  it('substitutes InputTransformer values as text inside quotes and as JSON outside', () => {
    const paths = {
      name: '$.detail.name',
      output: '$.detail.output',
      cause: '$.detail.cause',
      size: '$.detail.size',
    };
    expect(
      targetPayload(event, {
        InputTransformer: {
          InputPathsMap: paths,
          InputTemplate: '"Run <name> ended. Summary: <output> <cause>"',
        },
      }),
    ).toBe('"Run run-1 ended. Summary: {\\"ok\\":true} "');
    expect(
      JSON.parse(
        targetPayload(event, {
          InputTransformer: {
            InputPathsMap: paths,
            InputTemplate: '{"run": <name>, "size": <size>, "missing": <cause>}',
          },
        }),
      ),
    ).toEqual({ run: 'run-1', size: 12, missing: null });
  });
});
