/** `shipyard backup list`: executions, most recent first, optionally of one policy or status. */
import { type Command, InvalidArgumentError } from 'commander';
import type {
  BackupExecutionsPort,
  ExecutionListItem,
  ExecutionStatus,
} from '../../shared/aws/sfn-executions.ts';
import type { GlobalOptions } from '../context.ts';
import type { Output } from '../output.ts';
import { wholeNumber } from '../parsers.ts';
import { machine, withMachine } from './machine.ts';
import { executionListText } from './render.ts';
import type { MachineOptions } from './state-machine.ts';
import { listWithVerification, RECORDS_BUCKET_OPTION } from './verification-status.ts';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

interface ListOptions extends MachineOptions {
  recordsBucket?: string;
  policy?: string;
  status?: ExecutionStatus;
  max: number;
}

const parseStatus = (value: string): string => {
  const upper = value.toUpperCase();
  if (!(STATUSES as readonly string[]).includes(upper))
    throw new InvalidArgumentError(`expected one of ${STATUSES.join(', ')}`);
  return upper;
};

const policyOfInput = (input: string | undefined): unknown => {
  try {
    return (JSON.parse(input ?? '{}') as { policy?: unknown }).policy;
  } catch {
    return undefined;
  }
};

/** Names are only a convention (--name can be anything): the input says which policy ran. */
async function runsOfPolicy(
  sfn: BackupExecutionsPort,
  items: readonly ExecutionListItem[],
  wanted: string,
  max: number,
): Promise<ExecutionListItem[]> {
  const matches: ExecutionListItem[] = [];
  for (const item of items) {
    if (matches.length >= max) break;
    const described = await sfn.describe(item.executionArn);
    if (policyOfInput(described?.input) === wanted) matches.push(item);
  }
  return matches;
}

async function list(global: GlobalOptions, options: ListOptions, output: Output): Promise<void> {
  const { sfn, arn: machineArn } = await machine(global, options);
  const all = await sfn.list({
    stateMachineArn: machineArn,
    ...(options.status ? { status: options.status } : {}),
    max: options.policy === undefined ? options.max : 1000,
  });
  const items =
    options.policy === undefined ? all : await runsOfPolicy(sfn, all, options.policy, options.max);
  await listWithVerification(
    global,
    options,
    output,
    { stateMachineArn: machineArn, executions: items },
    () => executionListText(items),
  );
}

export const registerList = (backup: Command, global: () => GlobalOptions, output: Output): void => {
  withMachine(
    backup
      .command('list')
      .description('list executions, most recent first')
      .option('--policy <name>', 'only runs of this policy (matched on the execution input)')
      .option('--status <status>', `only executions in this status (${STATUSES.join(', ')})`, parseStatus)
      .option('--max <n>', 'at most this many executions', wholeNumber(1, 1000), 20)
      .option(...RECORDS_BUCKET_OPTION),
  ).action((options: ListOptions) => list(global(), options, output));
};
