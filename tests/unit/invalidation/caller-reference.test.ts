import { describe, expect, it } from 'vitest';
import {
  callerReference,
  callerReferencePrefix,
  InvalidCallerReferenceInputError,
  MAX_CALLER_REFERENCE_LENGTH,
} from '../../../shared/invalidation/index.ts';

const base = {
  distributionId: 'E2QWRUHAPOMQZL',
  deployId: '594343f4e0481b34b67faaf273c01e23a65da8f4',
  batchIndex: 0,
};

describe('callerReference', () => {
  it('is deterministic and independent of path order', () => {
    // Act
    const a = callerReference({ ...base, paths: ['/b', '/a/*'] });
    const b = callerReference({ ...base, paths: ['/a/*', '/b'] });
    // Assess
    expect(a).toBe(b);
    expect(a.startsWith(callerReferencePrefix(base.distributionId, base.deployId))).toBe(true);
  });

  it.each([
    ['another path set', { paths: ['/a/*'] }],
    ['another batch', { batchIndex: 1 }],
    ['another deploy', { deployId: 'other' }],
    ['another distribution', { distributionId: 'EXXXXXXXXXXXXX' }],
  ])('changes with %s', (_name, change) => {
    // Act
    const a = callerReference({ ...base, paths: ['/b', '/a/*'] });
    const b = callerReference({ ...base, paths: ['/b', '/a/*'], ...change });
    // Assess
    expect(b).not.toBe(a);
  });

  it.each([
    ['a long deploy id', { deployId: 'x'.repeat(500) }],
    ['odd characters', { deployId: 'arn:aws:codepipeline:us-east-1:123:pipe/exec id ü' }],
    ['a huge batch index', { batchIndex: Number.MAX_SAFE_INTEGER }],
  ])('stays within %s characters with %s', (_name, change) => {
    // Act
    const reference = callerReference({ ...base, paths: ['/a'], ...change });
    // Assess
    expect(reference.length).toBeLessThanOrEqual(MAX_CALLER_REFERENCE_LENGTH);
  });

  it.each([
    ['distributionId', { distributionId: '' }],
    ['deployId', { deployId: '' }],
    ['batchIndex', { batchIndex: -1 }],
    ['batchIndex', { batchIndex: 1.5 }],
  ])('rejects a bad %s', (field, change) => {
    // Act
    const act = () => callerReference({ ...base, paths: [], ...change });
    // Assess
    expect(act).toThrow(InvalidCallerReferenceInputError);
    expect(act).toThrow(field);
  });
});
