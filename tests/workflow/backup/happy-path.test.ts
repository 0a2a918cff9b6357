import { describe, expect, it } from 'vitest';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { useLocalCloud } from '../../helpers/local-cloud.ts';
import { policy, runInput, seedFleet } from './scenario.ts';

describe('backup workflow: 3 instances, 2 copy regions, shared', () => {
  const local = useLocalCloud();

  it('backs up every target in every region', async () => {
    // Prepare
    await seedFleet(local().control);
    const workflow = await createBackupWorkflow(local);
    const now = new Date(local().cloud.now()).toISOString();
    // Act
    const result = await workflow.run(runInput(policy(), 'nightly-2026-02-01', now));
    // Assess
    console.log(result.status, result.error, result.cause, result.invocations, result.transitions);
    expect(result.status).toBe('succeeded');
  });
});
