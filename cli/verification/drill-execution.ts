/**
 * `shipyard drill --run` through the deployed drill state machine (`shipyard-<stage>-drill`,
 * or `--state-machine-arn`): started with the drill's name only — the deployed config is the
 * authority over what is dialled — and followed to its end.
 */
import type { BackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import type { DrillReport } from '../../shared/backup-service/drill.ts';
import { drillReportOfExecution } from '../../shared/backup-service/drill-progress.ts';
import { UserError } from '../errors.ts';

const MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** The deployed drill state machine's ARN, undefined when the stage has none deployed. */
export async function drillMachineArn(
  sfn: BackupExecutionsPort,
  options: { stage: string; stateMachineArn?: string },
): Promise<string | undefined> {
  if (options.stateMachineArn !== undefined) {
    if (!MACHINE_ARN.test(options.stateMachineArn))
      throw new UserError(`--state-machine-arn: "${options.stateMachineArn}" is not a state machine ARN`);
    return options.stateMachineArn;
  }
  const name = `shipyard-${options.stage}-drill`;
  return (await sfn.listStateMachines()).find((m) => m.name === name)?.stateMachineArn;
}

/** Starts `{ drill, run: true }` and polls until the execution ends; its report. */
export async function runDeployedDrill(
  sfn: BackupExecutionsPort,
  input: { machineArn: string; drill: string; pollMs: number; sleep: (ms: number) => Promise<void> },
): Promise<DrillReport> {
  const name = `drill-${input.drill}-${new Date().toISOString().replace(/[-:.]/g, '')}`;
  const started = await sfn.start({
    stateMachineArn: input.machineArn,
    name,
    input: { drill: input.drill, run: true },
  });
  if (started.kind !== 'started') throw new UserError(`the drill execution ${name} already exists`);
  for (;;) {
    const execution = await sfn.describe(started.executionArn);
    if (execution !== undefined && execution.status !== 'RUNNING')
      return drillReportOfExecution(execution, name);
    await input.sleep(input.pollMs);
  }
}
