import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import {
  allStates,
  isWaitForToken,
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

  it('stays lean: every state is needed, every wait is a token Task with a bounded fallback', () => {
    const definition = loadBackupDefinition();
    const states = allStates(definition);
    // 32 on the Distributed Map with poll loops; the event-driven waits drop the Wait, Check
    // and Choice states of the three loops (the snapshot and image Choices stay: form, rejected).
    expect(states.size).toBeLessThanOrEqual(25);
    expect([...states.values()].filter((s) => s.Type === 'Wait')).toEqual([]);
    const waiting = [...states].filter(([, s]) => isWaitForToken(s));
    expect(waiting.map(([name]) => name).sort()).toEqual(['CopyImage', 'CreateSnapshots', 'RegisterImage']);
    for (const [name, state] of waiting) {
      // The polling fallback: TimeoutSeconds per round, a bounded number of rounds (12 h at most).
      const timeout = Number(state.TimeoutSeconds);
      const rounds = (state.Retry as { ErrorEquals: string[]; MaxAttempts: number }[]).find((r) =>
        r.ErrorEquals.includes('States.Timeout'),
      )?.MaxAttempts;
      expect(timeout, name).toBeGreaterThan(0);
      expect(rounds, name).toBeDefined();
      expect(timeout * ((rounds ?? 0) + 1), name).toBeLessThanOrEqual(13 * 3600);
      expect(JSON.stringify(state.Parameters), name).toContain('"taskToken.$":"$$.Task.Token"');
    }
    expect(new Set(taskFunctionKeys(definition).values()).size).toBe(8);
  });
});
