import type { Command } from 'commander';
import { registerList } from '../backup/list-command.ts';
import { registerPlan } from '../backup/plan-command.ts';
import { registerRun } from '../backup/run-command.ts';
import { registerStatus } from '../backup/status-command.ts';
import type { GlobalOptions } from '../context.ts';
import type { Output } from '../output.ts';

/**
 * `shipyard backup run | status | list | plan`: operate the backup workflow from a terminal
 * or a script (human text by default, `--json` for scripts; exit 1 when a run failed).
 */
export const register = (program: Command, output: Output): void => {
  const backup = program.command('backup').description('run, watch and plan AMI backups');
  const global = () => program.opts<GlobalOptions>();
  registerRun(backup, global, output);
  registerStatus(backup, global, output);
  registerList(backup, global, output);
  registerPlan(backup, global, output);
};
