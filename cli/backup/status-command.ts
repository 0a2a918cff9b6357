/** `shipyard backup status`: one execution (by name or ARN, default the most recent), read once. */
import type { Command } from 'commander';
import type { BackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import type { GlobalOptions } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import type { Output } from '../output.ts';
import { readExecution } from './follow.ts';
import { machine, withMachine } from './machine.ts';
import { showExecution } from './show-execution.ts';
import { executionArnOf, executionRef, type MachineOptions } from './state-machine.ts';

async function executionArnFor(
  sfn: BackupExecutionsPort,
  machineArn: string,
  ref: ReturnType<typeof executionRef> | undefined,
): Promise<string> {
  if (ref !== undefined) return 'arn' in ref ? ref.arn : executionArnOf(machineArn, ref.name);
  const latest = (await sfn.list({ stateMachineArn: machineArn, max: 1 }))[0];
  if (latest === undefined) throw new UserError(`no executions of ${machineArn} yet`, EXIT.failed);
  return latest.executionArn;
}

export const registerStatus = (backup: Command, global: () => GlobalOptions, output: Output): void => {
  withMachine(
    backup
      .command('status')
      .description('show an execution: status, progress per target, and the run summary once it ended')
      .argument('[execution]', 'execution name or ARN (default: the most recent execution)'),
  ).action(async (execution: string | undefined, options: MachineOptions) => {
    const ref = execution === undefined ? undefined : executionRef(execution);
    const { sfn, arn: machineArn } = await machine(global(), options);
    const view = await readExecution(sfn, await executionArnFor(sfn, machineArn, ref));
    showExecution(output, view);
  });
};
