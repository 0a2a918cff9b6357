import { describe, expect, it } from 'vitest';
import { parseTargets } from '../../../cli/backup/policy.ts';
import {
  executionArnOf,
  executionRef,
  explicitMachineArn,
  regionOfArn,
} from '../../../cli/backup/state-machine.ts';

const MACHINE = 'arn:aws:states:ap-south-1:123456789012:stateMachine:shipyard-dev-backup';

describe('state machine and execution references', () => {
  it('prefers --state-machine-arn, then the environment, else discovery by name', () => {
    const env = { SHIPYARD_BACKUP_STATE_MACHINE_ARN: MACHINE.replace('dev', 'prod') };
    expect(explicitMachineArn({ stateMachineArn: MACHINE, stage: 'dev' }, env)).toBe(MACHINE);
    expect(explicitMachineArn({ stage: 'dev' }, env)).toBe(env.SHIPYARD_BACKUP_STATE_MACHINE_ARN);
    expect(explicitMachineArn({ stage: 'dev' }, {})).toBeUndefined();
  });

  it('names the source of a malformed ARN', () => {
    expect(() => explicitMachineArn({ stage: 'dev' }, { SHIPYARD_BACKUP_STATE_MACHINE_ARN: 'x' })).toThrow(
      /^SHIPYARD_BACKUP_STATE_MACHINE_ARN: "x" is not a state machine ARN/,
    );
    expect(() => explicitMachineArn({ stage: 'dev prod' }, {})).toThrow(/^--stage:/);
  });

  it('derives execution ARNs and regions', () => {
    const arn = executionArnOf(MACHINE, 'nightly-2026-01-01');
    expect(arn).toBe(
      'arn:aws:states:ap-south-1:123456789012:execution:shipyard-dev-backup:nightly-2026-01-01',
    );
    expect(regionOfArn(arn)).toBe('ap-south-1');
    expect(regionOfArn(MACHINE)).toBe('ap-south-1');
    expect(executionRef(arn)).toEqual({ arn });
    expect(executionRef('nightly-2026-01-01')).toEqual({ name: 'nightly-2026-01-01' });
    expect(() => executionRef('a b')).toThrow(/EXECUTION: "a b" is not a valid execution name/);
    expect(() => executionRef('arn:aws:states:x')).toThrow(/is not an execution ARN/);
  });

  it('validates and de-duplicates --target ids', () => {
    expect(parseTargets(['i-0123abcd', 'vol-0123456789abcdef0', 'i-0123abcd'])).toEqual([
      'i-0123abcd',
      'vol-0123456789abcdef0',
    ]);
    expect(parseTargets([])).toBeUndefined();
    expect(() => parseTargets(['vol-xyz'])).toThrow(/--target: "vol-xyz"/);
  });
});
