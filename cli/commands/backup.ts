import { type Command, InvalidArgumentError } from 'commander';
import type { ExecutionStatus } from '../../shared/aws/sfn-executions.ts';
import { isValidExecutionName, onDemandExecutionName } from '../../shared/backup/naming.ts';
import { deployedPoliciesPort, ec2Ports, executionsPort } from '../backup/clients.ts';
import { requireDeployedPolicy } from '../backup/deployed-policy.ts';
import { followExecution, isFinished, readExecution } from '../backup/follow.ts';
import { planRotation, planText } from '../backup/plan.ts';
import { findPolicy, parseTargets } from '../backup/policy.ts';
import { executionListText, executionText } from '../backup/render.ts';
import {
  executionArnOf,
  executionRef,
  explicitMachineArn,
  type MachineOptions,
  regionOfArn,
  resolveMachineArn,
} from '../backup/state-machine.ts';
import { listWithVerification, RECORDS_BUCKET_OPTION } from '../backup/verification-status.ts';
import { DEFAULT_CONFIG_FILE, type GlobalOptions, loadConfigFile } from '../context.ts';
import { EXIT, UserError } from '../errors.ts';
import type { Output } from '../output.ts';
import { isoInstant, seconds, wholeNumber } from '../parsers.ts';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

/** The options that pick the state machine, on every command that needs it. */
const withMachine = (command: Command): Command =>
  command
    .option(
      '--state-machine-arn <arn>',
      'backup state machine (default: SHIPYARD_BACKUP_STATE_MACHINE_ARN, else shipyard-<stage>-backup)',
    )
    .option('--stage <stage>', 'stage whose state machine to find by name', 'dev');

/** SFN client in the state machine's region when the ARN names it, and the machine's ARN. */
async function machine(global: GlobalOptions, options: MachineOptions) {
  const explicit = explicitMachineArn(options, process.env);
  const sfn = executionsPort(global, explicit === undefined ? undefined : regionOfArn(explicit));
  return { sfn, arn: await resolveMachineArn(options, process.env, sfn) };
}

interface RunOptions extends MachineOptions {
  policy: string;
  target?: string[];
  dryRun?: boolean;
  wait?: boolean;
  name?: string;
  pollSeconds: number;
}

interface ListOptions extends MachineOptions {
  recordsBucket?: string;
  policy?: string;
  status?: ExecutionStatus;
  max: number;
}

const finishedExitCode = (status: string): number => (status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed);

/**
 * `shipyard backup run | status | list | plan`: operate the backup workflow from a terminal
 * or a script (human text by default, `--json` for scripts; exit 1 when a run failed).
 */
export const register = (program: Command, output: Output): void => {
  const backup = program.command('backup').description('run, watch and plan AMI backups');
  const global = () => program.opts<GlobalOptions>();

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
  ).action(async (options: RunOptions) => {
    const configFile = global().config ?? DEFAULT_CONFIG_FILE;
    const policy = findPolicy(loadConfigFile(configFile), options.policy);
    const targets = parseTargets(options.target);
    const now = new Date().toISOString();
    if (options.name !== undefined && !isValidExecutionName(options.name))
      throw new UserError(
        `--name: "${options.name}" is not a valid execution name (1–80 chars, no spaces, brackets or :/#%…)`,
      );
    const name = options.name ?? onDemandExecutionName(policy.name, now);
    const { sfn, arn: machineArn } = await machine(global(), options);
    await requireDeployedPolicy(
      deployedPoliciesPort(global(), regionOfArn(machineArn)),
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
    const started = await sfn.start({ stateMachineArn: machineArn, name, input });
    let executionArn: string;
    if (started.kind === 'started') {
      executionArn = started.executionArn;
      output.progress(`started ${name}`);
    } else {
      executionArn = executionArnOf(machineArn, name);
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
      output.progress(
        `${name} is already running: ${options.wait ? 'following it' : 'not starting another'}`,
      );
    }
    if (!options.wait) {
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
    output.result(
      { ...view.execution, summary: view.progress.summary, targets: view.progress.targets, maps: view.maps },
      () => executionText(view),
    );
    process.exitCode = finishedExitCode(view.execution.status);
  });

  withMachine(
    backup
      .command('status')
      .description('show an execution: status, progress per target, and the run summary once it ended')
      .argument('[execution]', 'execution name or ARN (default: the most recent execution)'),
  ).action(async (execution: string | undefined, options: MachineOptions) => {
    const ref = execution === undefined ? undefined : executionRef(execution);
    const { sfn, arn: machineArn } = await machine(global(), options);
    let executionArn: string;
    if (ref === undefined) {
      const latest = (await sfn.list({ stateMachineArn: machineArn, max: 1 }))[0];
      if (latest === undefined) throw new UserError(`no executions of ${machineArn} yet`, EXIT.failed);
      executionArn = latest.executionArn;
    } else {
      executionArn = 'arn' in ref ? ref.arn : executionArnOf(machineArn, ref.name);
    }
    const view = await readExecution(sfn, executionArn);
    output.result(
      { ...view.execution, summary: view.progress.summary, targets: view.progress.targets, maps: view.maps },
      () => executionText(view),
    );
  });

  withMachine(
    backup
      .command('list')
      .description('list executions, most recent first')
      .option('--policy <name>', 'only runs of this policy (matched on the execution input)')
      .option(
        '--status <status>',
        `only executions in this status (${STATUSES.join(', ')})`,
        (value: string) => {
          const upper = value.toUpperCase();
          if (!(STATUSES as readonly string[]).includes(upper))
            throw new InvalidArgumentError(`expected one of ${STATUSES.join(', ')}`);
          return upper;
        },
      )
      .option('--max <n>', 'at most this many executions', wholeNumber(1, 1000), 20)
      .option(...RECORDS_BUCKET_OPTION),
  ).action(async (options: ListOptions) => {
    const { sfn, arn: machineArn } = await machine(global(), options);
    let items = await sfn.list({
      stateMachineArn: machineArn,
      ...(options.status ? { status: options.status } : {}),
      max: options.policy === undefined ? options.max : 1000,
    });
    if (options.policy !== undefined) {
      // Names are only a convention (--name can be anything): the input says which policy ran.
      const wanted = options.policy;
      const matches: typeof items = [];
      for (const item of items) {
        if (matches.length >= options.max) break;
        const described = await sfn.describe(item.executionArn);
        const policy = (() => {
          try {
            return (JSON.parse(described?.input ?? '{}') as { policy?: unknown }).policy;
          } catch {
            return undefined;
          }
        })();
        if (policy === wanted) matches.push(item);
      }
      items = matches;
    }
    await listWithVerification(
      global(),
      options,
      output,
      { stateMachineArn: machineArn, executions: items },
      () => executionListText(items),
    );
  });

  backup
    .command('plan')
    .description('what rotation would delete and keep in every region of a policy, and why (read-only)')
    .requiredOption('--policy <name>', 'backup policy from the config file')
    .option(
      '--target <ids...>',
      'only these instance or volume ids (default: the targets a run would select now)',
    )
    .option('--at <instant>', 'evaluate retention at this ISO instant (default: now)', isoInstant)
    .action(async (options: { policy: string; target?: string[]; at?: string }) => {
      const policy = findPolicy(loadConfigFile(global().config ?? DEFAULT_CONFIG_FILE), options.policy);
      const targets = parseTargets(options.target);
      const report = await planRotation({
        policy,
        ec2: ec2Ports(global()),
        at: options.at ?? new Date().toISOString(),
        ...(targets ? { targets } : {}),
      });
      output.result(report, () => planText(report));
    });
};
