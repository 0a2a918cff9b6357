/**
 * `shipyard drill --run` through the deployed drill state machine: found by its name for the
 * stage (or the flag, validated), started with the drill's name only, followed until it ends,
 * its report read from the output — or from DrillAborted's cause when an error ended it after
 * the revert.
 */
import { describe, expect, it } from 'vitest';
import { drillMachineArn, runDeployedDrill } from '../../../cli/verification/drill-execution.ts';
import type { BackupExecutionsPort, ExecutionDetails } from '../../../shared/aws/sfn-executions.ts';
import type { DrillReport } from '../../../shared/backup-service/drill.ts';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:shipyard-prod-drill';

const report: DrillReport = {
  drill: 'web',
  accelerator: 'arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdef00',
  mode: 'run',
  status: 'reverted',
  standbyImageId: 'ami-0ca11f0000000000a',
  recorded: [],
  plan: [],
  steps: [],
  errors: ['Lambda crashed'],
  restored: true,
};

function sfn(ending: Partial<ExecutionDetails>, runningPolls = 2) {
  const started: unknown[] = [];
  let polls = 0;
  const port = {
    listStateMachines: async () => [
      { name: 'shipyard-prod-backup', stateMachineArn: MACHINE.replace('drill', 'backup') },
      { name: 'shipyard-prod-drill', stateMachineArn: MACHINE },
    ],
    start: async (input: unknown) => {
      started.push(input);
      return { kind: 'started' as const, executionArn: `${MACHINE}:x` };
    },
    describe: async (executionArn: string) => {
      polls += 1;
      const base = { executionArn, name: 'x' };
      return polls <= runningPolls
        ? { ...base, status: 'RUNNING' }
        : { ...base, ...ending, status: ending.status ?? 'SUCCEEDED' };
    },
  } as unknown as BackupExecutionsPort;
  return { port, started, polls: () => polls };
}

describe('the deployed drill from the CLI', () => {
  it('finds shipyard-<stage>-drill, and refuses a flag that is not a state machine ARN', async () => {
    const { port } = sfn({});
    expect(await drillMachineArn(port, { stage: 'prod' })).toBe(MACHINE);
    expect(await drillMachineArn(port, { stage: 'dev' })).toBeUndefined();
    await expect(
      drillMachineArn(port, { stage: 'prod', stateMachineArn: 'shipyard-prod-drill' }),
    ).rejects.toThrow('--state-machine-arn');
  });

  it('starts it with the drill name only and follows it to its report', async () => {
    const { port, started, polls } = sfn({ status: 'SUCCEEDED' });
    const withOutput = sfn({
      status: 'SUCCEEDED',
      output: JSON.stringify({
        drill: 'web',
        owner: 'x',
        report: { ...report, status: 'completed', errors: [] },
        recorded: [],
        phase: 'done',
        step: 3,
        write: 0,
        since: '2026-12-02T06:00:00.000Z',
        next: 'done',
        waitSeconds: 5,
      }),
    });
    const sleep = async () => undefined;
    const done = await runDeployedDrill(withOutput.port, {
      machineArn: MACHINE,
      drill: 'web',
      pollMs: 1,
      sleep,
    });
    expect(done.status).toBe('completed');
    expect(withOutput.started).toEqual([
      {
        stateMachineArn: MACHINE,
        name: expect.stringMatching(/^drill-web-/),
        input: { drill: 'web', run: true },
      },
    ]);
    expect(withOutput.polls()).toBe(3);
    // An execution that ended without a report is an error naming its status.
    await expect(
      runDeployedDrill(port, { machineArn: MACHINE, drill: 'web', pollMs: 1, sleep }),
    ).rejects.toThrow(/the drill drill-web-\S+ ended SUCCEEDED/);
    expect(started).toHaveLength(1);
    expect(polls()).toBe(3);
  });

  it('reads the report of an execution an error aborted after the revert from its cause', async () => {
    const { port } = sfn({ status: 'FAILED', error: 'DrillAborted', cause: JSON.stringify(report) });
    const got = await runDeployedDrill(port, {
      machineArn: MACHINE,
      drill: 'web',
      pollMs: 1,
      sleep: async () => undefined,
    });
    expect(got).toEqual(report);
  });
});
