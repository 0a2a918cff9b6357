import { describe, expect, it } from 'vitest';
import { iamModeFromEnvironment } from '../../src/iam/mode.ts';

describe('SHIPYARD_LOCAL_IAM', () => {
  it('is off when unset or empty, and takes off or enforce', () => {
    expect(iamModeFromEnvironment({})).toBe('off');
    expect(iamModeFromEnvironment({ SHIPYARD_LOCAL_IAM: '' })).toBe('off');
    expect(iamModeFromEnvironment({ SHIPYARD_LOCAL_IAM: 'enforce' })).toBe('enforce');
    expect(iamModeFromEnvironment({ SHIPYARD_LOCAL_IAM: 'off' })).toBe('off');
  });

  it('rejects anything else, naming the variable and the modes', () => {
    expect(() => iamModeFromEnvironment({ SHIPYARD_LOCAL_IAM: 'strict' })).toThrow(
      'SHIPYARD_LOCAL_IAM: "strict" is not an IAM mode (expected off or enforce)',
    );
  });
});
