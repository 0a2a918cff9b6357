import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/backup-start/handler.ts';
import type { ExecutionStarter } from '../../../shared/aws/backup-executions.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import { deployed } from '../../helpers/backup-deps.ts';
import { policy } from '../../workflow/backup/scenario.ts';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:shipyard-dev-backup';

describe('backup-start (schedule target)', () => {
  it('names the execution <policy>-<local date> and treats a duplicate trigger as done', async () => {
    const started = new Set<string>();
    const calls: { name: string; input: unknown }[] = [];
    const starter: ExecutionStarter = {
      start: async ({ name, input }) => {
        calls.push({ name, input });
        if (started.has(name)) return { kind: 'already-exists' };
        started.add(name);
        return { kind: 'started', executionArn: `${ARN}:${name}` };
      },
    };
    const handler = makeHandler({
      starter,
      stateMachineArn: ARN,
      logger: silentLogger,
      policies: deployed(policy()),
      now: () => new Date('2026-02-01T00:30:05Z'),
    });
    // 00:30 UTC is 01:30 in Berlin; 23:30 UTC the day before would be the same Berlin date.
    const first = await handler({ policy: 'nightly', scheduledTime: '2026-02-01T00:30:00Z' });
    const duplicate = await handler({ policy: 'nightly', scheduledTime: '2026-02-01T00:30:00Z' });
    expect(first).toMatchObject({ name: 'nightly-2026-02-01', kind: 'started' });
    expect(duplicate).toMatchObject({ name: 'nightly-2026-02-01', kind: 'already-exists' });
    // The execution input names the policy only: the run id is the execution name, the clock the service's.
    expect(calls[0]?.input).toEqual({ policy: 'nightly' });
  });
});
