import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import {
  allStates,
  loadBackupDefinition,
  taskFunctionKeys,
  withDeployedArns,
} from '../../helpers/backup-asl.ts';

// asl-validator mutates its input: always validate a clone.
const validate = (definition: unknown) =>
  aslValidator(structuredClone(definition) as never, { checkPaths: true, checkArn: true });

describe('backup ASL is valid', () => {
  it('as written (placeholders) with checkPaths and checkArn', () => {
    const result = validate(loadBackupDefinition());
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('as deployed (Lambda ARNs) with checkPaths and checkArn', () => {
    const result = validate(withDeployedArns(loadBackupDefinition()));
    expect(result.errors).toEqual([]);
  });

  it('stays lean: every state is needed, loops are Wait → Check → Choice', () => {
    const states = allStates(loadBackupDefinition());
    // 24 for a backup; the dry run adds its Choice, its Map of one Task (+ its failure Pass)
    // and the cap's Fail state.
    // 30: the RunAlreadyRecorded Fail state (a reused run id fails the run, named).
    // 32 on the Distributed Map: the dry-run Choice moves into the child (its inline Map
    // goes), plus a Fail state per unreadable file kind and the failed child's Fail state.
    expect(states.size).toBeLessThanOrEqual(32);
    for (const [name, state] of states) {
      if (state.Type === 'Wait') expect(typeof state.SecondsPath, name).toBe('string');
    }
    expect(new Set(taskFunctionKeys(loadBackupDefinition()).values()).size).toBe(11);
  });
});
