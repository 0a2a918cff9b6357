/**
 * The event-driven waits in the tests, as the stack wires them: ResumeWait (the real handler)
 * registered in the local cloud's home region, the stack's rule pattern
 * (serverless/backup-events.cjs) on the default bus of the home region targeting it, and in
 * every other region a rule forwarding the same events to the home bus. EC2 in the local cloud
 * emits the EBS / AMI events (with its `ec2-events` drop fault), so a test exercises the whole
 * path: event → rule → (forward) → ResumeWait → SendTaskSuccess/Failure.
 *
 * The in-process runner (backup-workflow.ts) has no Step Functions service: its tokens live in
 * {@link createTokenRegistry}, the TaskCallbacks port ResumeWait and the waiting steps use there.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { registerLocalFunction } from '@shipyard/local-cloud';
import { clientConfig } from '@shipyard/local-cloud/testing';
import type { TaskCallbacks } from '../../shared/backup-service/ports/event-waits.ts';

const require = createRequire(import.meta.url);
const { AWAITED_EVENTS_PATTERN } = require('../../serverless/backup-events.cjs') as {
  AWAITED_EVENTS_PATTERN: Record<string, unknown>;
};

const RULE = 'shipyard-dev-backup-awaited-events';

/** How a token's Task ended. */
export type TokenOutcome =
  | { kind: 'success'; output: unknown }
  | { kind: 'failure'; error: string; cause: string };

/**
 * Tokens handed out by the in-process runner, settled through the TaskCallbacks port; a
 * heartbeat records `now()` (the simulated clock) as the token's last one.
 */
export function createTokenRegistry(now: () => number = Date.now) {
  const open = new Map<string, (outcome: TokenOutcome) => void>();
  const beats = new Map<string, number>();
  const settle = (token: string, outcome: TokenOutcome): 'sent' | 'gone' => {
    const resolve = open.get(token);
    if (resolve === undefined) return 'gone';
    open.delete(token);
    resolve(outcome);
    return 'sent';
  };
  const callbacks: TaskCallbacks = {
    succeed: async (token, output) => settle(token, { kind: 'success', output: structuredClone(output) }),
    fail: async (token, error, cause) => settle(token, { kind: 'failure', error, cause }),
    heartbeat: async (token) => {
      if (!open.has(token)) return 'gone';
      beats.set(token, now());
      return 'sent';
    },
  };
  return {
    callbacks,
    /** A new token and how its Task will end; `close` forgets it (the Task timed out). */
    issue: () => {
      const token = `in-process-${randomUUID()}`;
      let outcome: TokenOutcome | undefined;
      open.set(token, (o) => {
        outcome = o;
      });
      beats.set(token, now());
      return {
        token,
        outcome: () => outcome,
        /** The Task's start or its last heartbeat (HeartbeatSeconds counts from there). */
        lastBeat: () => beats.get(token) ?? 0,
        close: () => {
          open.delete(token);
          beats.delete(token);
        },
      };
    },
  };
}

/**
 * Registers `handler` as ResumeWait in `homeRegion` and puts the awaited-events rules in every
 * region of `regions` (the home one targeting the function, the others the home bus).
 * Returns the function's name (its invocations are counted under it).
 */
export async function installResumeRules(
  local: RunningLocalCloud,
  homeRegion: string,
  regions: readonly string[],
  handler: (event: unknown) => Promise<unknown>,
): Promise<string> {
  const name = 'shipyard-dev-backupResumeWait';
  const fn = registerLocalFunction(local.cloud, { name, region: homeRegion, timeoutSeconds: 60, handler });
  const homeBus = `arn:aws:events:${homeRegion}:${local.cloud.accountId}:event-bus/default`;
  for (const region of new Set([homeRegion, ...regions])) {
    const events = new EventBridgeClient(clientConfig(local.url, region));
    await events.send(
      new PutRuleCommand({
        Name: RULE,
        EventPattern: JSON.stringify(AWAITED_EVENTS_PATTERN),
        State: 'ENABLED',
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: RULE,
        Targets: [
          {
            Id: region === homeRegion ? 'resume-wait' : 'home-bus',
            Arn: region === homeRegion ? fn.arn : homeBus,
          },
        ],
      }),
    );
  }
  return name;
}
