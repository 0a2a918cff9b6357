/** `shipyard backup run`: start a backup of a policy now, optionally following it to the end. */
import type { Command } from 'commander';
import type { BackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import { isValidExecutionName, onDemandExecutionName } from '../../shared/backup/naming.ts';
import { DEFAULT_CONFIG_FILE, type GlobalOptions, loadConfigFile } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import type { Output } from '../output.ts';
import { seconds } from '../parsers.ts';
import { deployedPoliciesPort } from './clients.ts';
import { requireDeployedPolicy } from './deployed-policy.ts';
import { followExecution, isFinished } from './follow.ts';
import { machine, withMachine } from './machine.ts';
import { findPolicy, parseTargets } from './policy.ts';
import { showExecution } from './show-execution.ts';
import { executionArnOf, type MachineOptions, regionOfArn } from './state-machine.ts';

interface RunOptions extends MachineOptions {
  policy: string;
  target?: string[];
  dryRun?: boolean;
  wait?: boolean;
  name?: string;
  pollSeconds: number;
}

const finishedExitCode = (status: string): number => (status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed);

function executionName(options: RunOptions, policyName: string): string {
  if (options.name !== undefined && !isValidExecutionName(options.name))
    throw new UserError(
      `--name: "${options.name}" is not a valid execution name (1–80 chars, no spaces, brackets or :/#%…)`,
    );
  return options.name ?? onDemandExecutionName(policyName, new Date().toISOString());
}

/** Starts the execution, or joins the one of that name while it still runs; its ARN. */
async function startOrJoin(
  sfn: BackupExecutionsPort,
  start: { machineArn: string; name: string; input: object; wait: boolean },
  output: Output,
): Promise<string> {
  const { machineArn, name, input } = start;
  const started = await sfn.start({ stateMachineArn: machineArn, name, input });
  if (started.kind === 'started') {
    output.progress(`started ${name}`);
    return started.executionArn;
  }
  const executionArn = executionArnOf(machineArn, name);
  const existing = await sfn.describe(executionArn);
  if (existing === undefined || isFinished(existing.status)) {
    const status = existing
      ? `${existing.status}${existing.stopDate ? ` at ${existing.stopDate}` : ''}`
      : 'unknown status';
    throw new UserError(
      `backup ${name} already ran (${status}); see it with: shipyard backup status ${name}, or pass another --name`,
      EXIT.failed,
    );
  }
  output.progress(`${name} is already running: ${start.wait ? 'following it' : 'not starting another'}`);
  return executionArn;
}

async function run(global: GlobalOptions, options: RunOptions, output: Output): Promise<void> {
  const configFile = global.config ?? DEFAULT_CONFIG_FILE;
  const policy = findPolicy(loadConfigFile(configFile), options.policy);
  const targets = parseTargets(options.target);
  const name = executionName(options, policy.name);
  const { sfn, arn: machineArn } = await machine(global, options);
  await requireDeployedPolicy(
    deployedPoliciesPort(global, regionOfArn(machineArn)),
    options.stage,
    policy,
    configFile,
    output,
  );
  // A reference, not authority: the functions load the deployed policy by name, take the run
  // id from the execution name and the run's instant from their own clock.
  const input = {
    policy: policy.name,
    dryRun: options.dryRun === true,
    ...(targets ? { targets } : {}),
  };
  const wait = options.wait === true;
  const executionArn = await startOrJoin(sfn, { machineArn, name, input, wait }, output);
  if (!wait) {
    output.result(
      { name, executionArn, status: 'RUNNING', input },
      () => `${name} is running (${executionArn})\nfollow it with: shipyard backup status ${name}`,
    );
    return;
  }
  const view = await followExecution(sfn, executionArn, {
    pollMs: options.pollSeconds * 1000,
    report: (line) => output.progress(line),
  });
  showExecution(output, view);
  process.exitCode = finishedExitCode(view.execution.status);
}

export const registerRun = (backup: Command, global: () => GlobalOptions, output: Output): void => {
  withMachine(
    backup
      .command('run')
      .description('start a backup of a policy now (idempotent by execution name)')
      .requiredOption(
        '--policy <name>',
        'deployed backup policy to run (the one in the config file must match it: the run obeys the deployed policy)',
      )
      .option('--target <ids...>', "back up only these of the policy's instance (i-…) or volume (vol-…) ids")
      // Under --dry-run the state machine takes its PlanTargets branch: Describe calls only.
      .option(
        '--dry-run',
        'create, copy, share and delete nothing: report per target the volumes it would snapshot, the AMI, copies, sharing and what rotation would delete, and why',
      )
      .option('--wait', 'show progress per target until the execution ends; exit 1 if it failed')
      .option(
        '--name <name>',
        'execution name (default: <policy>-manual-<UTC time>); reusing one never starts a second run',
      )
      .option('--poll-seconds <n>', 'how often --wait reads the execution', seconds(3600), 5),
  ).action((options: RunOptions) => run(global(), options, output));
};
