import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { COPY_QUEUE } from '../../../shared/backup/copy-queue.ts';
import { MAX_TARGET_DEADLINE_HOURS } from '../../../shared/config/policies.ts';
import {
  allStates,
  fallbackRoundError,
  fallbackRoundSeconds,
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
      // The polling fallback: a round (TimeoutSeconds, or HeartbeatSeconds for a Task that may
      // queue), a bounded number of rounds (12 h at most).
      const timeout = fallbackRoundSeconds(state);
      const rounds = (state.Retry as { ErrorEquals: string[]; MaxAttempts: number }[]).find((r) =>
        r.ErrorEquals.includes(fallbackRoundError(state)),
      )?.MaxAttempts;
      expect(timeout, name).toBeGreaterThan(0);
      expect(rounds, name).toBeDefined();
      expect(timeout * ((rounds ?? 0) + 1), name).toBeLessThanOrEqual(13 * 3600);
      expect(JSON.stringify(state.Parameters), name).toContain('"taskToken.$":"$$.Task.Token"');
    }
    expect(new Set(taskFunctionKeys(definition).values()).size).toBe(8);
  });

  // Step Functions Developer Guide, "Task workflow state": HeartbeatSeconds must be smaller than
  // TimeoutSeconds; past it with no SendTaskHeartbeat the state fails with States.HeartbeatTimeout.
  // Step Functions API Reference, SendTaskHeartbeat: it "resets the Heartbeat clock".
  it('CopyImage lives on heartbeats while it queues: the queue refreshes them well inside the round', () => {
    const copy = allStates(loadBackupDefinition()).get('CopyImage');
    expect(copy?.HeartbeatSeconds).toBe(COPY_QUEUE.heartbeatSeconds);
    expect(copy?.TimeoutSeconds).toBe(MAX_TARGET_DEADLINE_HOURS * 3600);
    expect(Number(copy?.HeartbeatSeconds)).toBeLessThan(Number(copy?.TimeoutSeconds));
    expect(COPY_QUEUE.refreshSeconds * 2).toBeLessThanOrEqual(COPY_QUEUE.heartbeatSeconds);
  });
});
