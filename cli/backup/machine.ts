/** The state-machine options every backup subcommand takes, and the SFN port they resolve to. */
import type { Command } from 'commander';
import type { GlobalOptions } from '../context.ts';
import { executionsPort } from './clients.ts';
import { explicitMachineArn, type MachineOptions, regionOfArn, resolveMachineArn } from './state-machine.ts';

/** The options that pick the state machine, on every command that needs it. */
export const withMachine = (command: Command): Command =>
  command
    .option(
      '--state-machine-arn <arn>',
      'backup state machine (default: SHIPYARD_BACKUP_STATE_MACHINE_ARN, else shipyard-<stage>-backup)',
    )
    .option('--stage <stage>', 'stage whose state machine to find by name', 'dev');

/** SFN client in the state machine's region when the ARN names it, and the machine's ARN. */
export async function machine(global: GlobalOptions, options: MachineOptions) {
  const explicit = explicitMachineArn(options, process.env);
  const sfn = executionsPort(global, explicit === undefined ? undefined : regionOfArn(explicit));
  return { sfn, arn: await resolveMachineArn(options, process.env, sfn) };
}
