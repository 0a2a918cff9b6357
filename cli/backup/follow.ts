/**
 * Reading an execution as the operator sees it: its description plus the per-target
 * progress folded from its history; `follow` polls until it ends, reporting each target
 * whenever its line changes.
 */
import type { BackupExecutionsPort, ExecutionDetails } from '../../shared/aws/sfn-executions.ts';
import { EXIT, UserError } from '../errors.ts';
import { emptyProgress, foldHistory, type RunProgress, targetLine } from './progress.ts';

export interface ExecutionView {
  execution: Omit<ExecutionDetails, 'input' | 'output'>;
  progress: RunProgress;
}

export const isFinished = (status: string): boolean => status !== 'RUNNING' && status !== 'PENDING_REDRIVE';

async function describeOrFail(sfn: BackupExecutionsPort, arn: string): Promise<ExecutionDetails> {
  const execution = await sfn.describe(arn);
  if (execution === undefined) throw new UserError(`EXECUTION: no execution ${arn}`, EXIT.usage);
  return execution;
}

const view = (execution: ExecutionDetails, progress: RunProgress): ExecutionView => {
  const { input: _input, output: _output, ...rest } = execution;
  return { execution: rest, progress };
};

/** The execution now (one history read). */
export async function readExecution(sfn: BackupExecutionsPort, arn: string): Promise<ExecutionView> {
  const execution = await describeOrFail(sfn, arn);
  const progress = foldHistory(emptyProgress(), await sfn.history(arn));
  return view(execution, progress);
}

export interface FollowOptions {
  pollMs: number;
  report: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until the execution ends; the history is read once more after the end so nothing is missed. */
export async function followExecution(
  sfn: BackupExecutionsPort,
  arn: string,
  options: FollowOptions,
): Promise<ExecutionView> {
  const sleep = options.sleep ?? realSleep;
  const printed = new Map<string, string>();
  let progress = emptyProgress();
  const report = () => {
    for (const target of progress.targets) {
      const line = targetLine(target);
      if (printed.get(target.id) !== line) {
        printed.set(target.id, line);
        options.report(line);
      }
    }
  };
  for (;;) {
    const execution = await describeOrFail(sfn, arn);
    progress = foldHistory(progress, await sfn.history(arn, progress.lastEventId));
    report();
    if (isFinished(execution.status)) return view(execution, progress);
    await sleep(options.pollMs);
  }
}
