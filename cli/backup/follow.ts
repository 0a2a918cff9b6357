/**
 * Reading an execution as the operator sees it: its description plus the per-target
 * progress folded from its history; `follow` polls until it ends, reporting each target
 * whenever its line changes.
 */
import type {
  BackupExecutionsPort,
  ExecutionDetails,
  MapRunProgress,
} from '../../shared/aws/sfn-executions.ts';
import { EXIT, UserError } from '../errors.ts';
import { emptyProgress, foldHistory, type RunProgress, targetLine } from './progress.ts';

export interface ExecutionView {
  execution: Omit<ExecutionDetails, 'input' | 'output'>;
  progress: RunProgress;
  /** The Distributed Map's counts: targets done / running / failed (one child execution each). */
  maps: MapRunProgress[];
}

/**
 * One line per Map Run: a fleet of hundreds is followed by its counts, not line by line.
 *
 * @example
 * mapLine({ total: 600, succeeded: 412, running: 180, pending: 5, failed: 3, status: 'RUNNING', mapRunArn: 'a' });
 * // 'targets: 412/600 done, 180 running, 5 waiting, 3 failed'
 */
export const mapLine = (m: MapRunProgress): string =>
  `targets: ${m.succeeded}/${m.total} done, ${m.running} running, ${m.pending} waiting, ${m.failed} failed`;

export const isFinished = (status: string): boolean => status !== 'RUNNING' && status !== 'PENDING_REDRIVE';

async function describeOrFail(sfn: BackupExecutionsPort, arn: string): Promise<ExecutionDetails> {
  const execution = await sfn.describe(arn);
  if (execution === undefined) throw new UserError(`EXECUTION: no execution ${arn}`, EXIT.usage);
  return execution;
}

/**
 * Fleets up to this many targets are followed target by target (each child execution's
 * history folded in); larger ones by the Map's counts alone.
 */
const PER_TARGET_LINES_MAX = 50;

/** Folds the new events of each child execution (one target each) into the progress. */
async function foldChildren(
  sfn: BackupExecutionsPort,
  maps: readonly MapRunProgress[],
  progress: RunProgress,
  seen: Map<string, number>,
): Promise<RunProgress> {
  let out = progress;
  for (const map of maps) {
    if (map.total > PER_TARGET_LINES_MAX) continue;
    for (const child of await sfn.mapRunExecutions(map.mapRunArn, PER_TARGET_LINES_MAX)) {
      const events = await sfn.history(child, seen.get(child) ?? 0);
      if (events.length === 0) continue;
      seen.set(child, Math.max(...events.map((e) => e.id)));
      out = foldHistory(out, events, { child: true });
    }
  }
  return out;
}

const view = (execution: ExecutionDetails, progress: RunProgress, maps: MapRunProgress[]): ExecutionView => {
  const { input: _input, output: _output, ...rest } = execution;
  return { execution: rest, progress, maps };
};

/** The execution now (one history read). */
export async function readExecution(sfn: BackupExecutionsPort, arn: string): Promise<ExecutionView> {
  const execution = await describeOrFail(sfn, arn);
  const maps = await sfn.mapRuns(arn);
  const progress = await foldChildren(
    sfn,
    maps,
    foldHistory(emptyProgress(), await sfn.history(arn)),
    new Map(),
  );
  return view(execution, progress, maps);
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
  let maps: MapRunProgress[] = [];
  const childEvents = new Map<string, number>();
  const print = (key: string, line: string) => {
    if (printed.get(key) === line) return;
    printed.set(key, line);
    options.report(line);
  };
  const report = () => {
    for (const target of progress.targets) print(target.id, targetLine(target));
    for (const map of maps) print(map.mapRunArn, mapLine(map));
  };
  for (;;) {
    const execution = await describeOrFail(sfn, arn);
    progress = foldHistory(progress, await sfn.history(arn, progress.lastEventId));
    maps = await sfn.mapRuns(arn);
    progress = await foldChildren(sfn, maps, progress, childEvents);
    report();
    if (isFinished(execution.status)) return view(execution, progress, maps);
    await sleep(options.pollMs);
  }
}
