import { randomUUID } from 'node:crypto';
import type { DistributedMapSpec } from './definition.ts';
import { TaskFailure } from './errors.ts';
import { readItems, writeResults } from './item-io.ts';
import { emptyCounts, type MapRunRecord, type RunCounts } from './map-run-store.ts';
import { evaluateTemplate } from './payload-template.ts';
import { readReferencePath } from './reference-path.ts';
import { type ExecutionRecord, statesStore } from './store.ts';
import { afterQueuedEvents, type Json, type TaskHandler, type TaskScope } from './task-scope.ts';

/**
 * A Distributed Map runs up to 10,000 child executions in parallel; MaxConcurrency 0 or
 * absent means that many (concepts-asl-use-map-state-distributed, "MaxConcurrency").
 */
export const DISTRIBUTED_MAX_CONCURRENCY = 10_000;

/** The cause of States.ExceedToleratedFailureThreshold [unconfirmed wording]. */
const THRESHOLD_CAUSE = 'The specified tolerated failure threshold was exceeded';

const PATH_LIMITS = {
  maxConcurrency: { max: Number.POSITIVE_INFINITY, integer: true },
  toleratedFailurePercentage: { max: 100, integer: false },
  toleratedFailureCount: { max: Number.POSITIVE_INFINITY, integer: true },
} as const;

/**
 * The spec with MaxConcurrencyPath / ToleratedFailurePercentagePath / ToleratedFailureCountPath
 * read from the state's input: a non-negative integer (a percentage from 0 to 100), else
 * the state fails with States.Runtime.
 */
const resolvePaths = (spec: DistributedMapSpec, input: unknown): DistributedMapSpec => {
  const resolved = { ...spec };
  for (const [field, path] of Object.entries(spec.paths) as [
    keyof typeof PATH_LIMITS,
    string | undefined,
  ][]) {
    if (path === undefined) continue;
    const value = readReferencePath(input, path);
    const { max, integer } = PATH_LIMITS[field];
    if (typeof value !== 'number' || value < 0 || value > max || (integer && !Number.isInteger(value)))
      throw new TaskFailure(
        'States.Runtime',
        `The ${field} at ${path} must be a number from 0 to ${max}, got ${JSON.stringify(value)}`,
      );
    resolved[field] = value;
  }
  return resolved;
};

/** One child execution's input and how many items it carries (ItemBatcher groups several). */
interface Unit {
  input: unknown;
  items: number;
}

const contextOf = (scope: TaskScope, spec: DistributedMapSpec) => ({
  Execution: {
    Id: scope.execution.arn,
    Name: scope.execution.name,
    RoleArn: scope.execution.roleArn,
    StartTime: new Date(scope.execution.startDate).toISOString(),
  },
  StateMachine: { Id: scope.execution.stateMachineArn, Name: scope.execution.stateMachineName },
  State: { Name: spec.stateName, EnteredTime: new Date(scope.cloud.now()).toISOString() },
});

const loadItems = async (scope: TaskScope, spec: DistributedMapSpec, input: unknown): Promise<unknown[]> => {
  if (spec.itemReader) return readItems(scope.cloud, spec.itemReader, input, contextOf(scope, spec));
  const items = readReferencePath(input, spec.itemsPath ?? '$');
  if (!Array.isArray(items))
    throw new TaskFailure(
      'States.Runtime',
      `The Map state's input at ItemsPath ${spec.itemsPath ?? '$'} is not an array`,
    );
  return items;
};

/**
 * Each item through ItemSelector (with `$$.Map.Item.Index` / `.Value`), then grouped by
 * ItemBatcher into `{BatchInput, Items}` inputs of at most MaxItemsPerBatch items and
 * MaxInputBytesPerBatch bytes (input-output-itembatcher).
 */
const childUnits = async (
  scope: TaskScope,
  spec: DistributedMapSpec,
  input: unknown,
  items: unknown[],
): Promise<Unit[]> => {
  const context = contextOf(scope, spec);
  const selected: unknown[] = [];
  for (const [index, value] of items.entries())
    selected.push(
      spec.itemSelector
        ? await evaluateTemplate(spec.itemSelector, input, {
            ...context,
            Map: { Item: { Index: index, Value: value } },
          })
        : value,
    );
  const batcher = spec.itemBatcher;
  if (!batcher) return selected.map((item) => ({ input: item, items: 1 }));
  const maxItems =
    typeof batcher.MaxItemsPerBatch === 'number' ? batcher.MaxItemsPerBatch : Number.POSITIVE_INFINITY;
  const maxBytes =
    typeof batcher.MaxInputBytesPerBatch === 'number'
      ? batcher.MaxInputBytesPerBatch
      : Number.POSITIVE_INFINITY;
  const batchInput = batcher.BatchInput;
  const units: Unit[] = [];
  let batch: unknown[] = [];
  let bytes = 0;
  const flush = () => {
    if (batch.length === 0) return;
    units.push({
      input: { ...(batchInput !== undefined ? { BatchInput: batchInput } : {}), Items: batch },
      items: batch.length,
    });
    batch = [];
    bytes = 0;
  };
  for (const item of selected) {
    const size = Buffer.byteLength(JSON.stringify(item));
    if (batch.length >= maxItems || (batch.length > 0 && bytes + size > maxBytes)) flush();
    batch.push(item);
    bytes += size;
  }
  flush();
  return units;
};

const move = (counts: RunCounts, from: keyof RunCounts, to: keyof RunCounts, n: number) => {
  counts[from] -= n;
  counts[to] += n;
};

const STATUS_COUNT: Record<string, keyof RunCounts> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  TIMED_OUT: 'timedOut',
  ABORTED: 'aborted',
};

/** Whether the failed items exceed ToleratedFailureCount or ToleratedFailurePercentage (0 when neither is set). */
const overThreshold = (spec: DistributedMapSpec, failed: number, total: number): boolean => {
  const count = spec.toleratedFailureCount;
  const percentage = spec.toleratedFailurePercentage;
  if (count === undefined && percentage === undefined) return failed > 0;
  return (
    (count !== undefined && failed > count) ||
    (percentage !== undefined && (failed * 100) / total > percentage)
  );
};

interface ChildRun {
  children: (ExecutionRecord | undefined)[];
  failedOver: boolean;
}

/** Starts the child execution of unit `index`, or redrives in place the one that ran it before (a redriven Map Run). */
const launchChild = (
  scope: TaskScope,
  spec: DistributedMapSpec,
  run: MapRunRecord,
  index: number,
): ExecutionRecord => {
  const unit = run.units[index]!;
  const earlier =
    unit.childArn === undefined ? undefined : statesStore(scope.cloud).executions.get(unit.childArn);
  if (earlier && earlier.status !== 'RUNNING' && scope.redriveChild(earlier)) return earlier;
  return scope.startChild({
    machine: {
      arn: run.stateMachineArn,
      name: run.stateMachineArn.split(':stateMachine:')[1]!,
      definition: JSON.stringify(spec.processor),
    },
    mapRunArn: run.arn,
    name: randomUUID(),
    input: unit.input,
    itemCount: unit.items,
  });
};

/**
 * Runs the units as child executions, at most `limit` at a time, keeping the Map Run's
 * counts; stops launching and aborts the running ones once the failures pass the
 * tolerated threshold, or when the parent execution ends.
 */
const runChildren = (
  scope: TaskScope,
  spec: DistributedMapSpec,
  run: MapRunRecord,
  units: Unit[],
  kept: (ExecutionRecord | undefined)[],
): Promise<ChildRun> =>
  new Promise((resolve) => {
    const children: (ExecutionRecord | undefined)[] = units.map((_, i) => kept[i]);
    const unstarted = units.map((_, i) => i).filter((i) => children[i] === undefined);
    const limit = spec.maxConcurrency || DISTRIBUTED_MAX_CONCURRENCY;
    const total = run.itemCounts.total;
    let next = 0;
    let active = 0;
    let failedItems = 0;
    let stopped = false;
    const stopAll = (failedOver: boolean) => {
      stopped = true;
      for (const child of children)
        if (child?.status === 'RUNNING') scope.stopChild(child, 'The Map Run was stopped');
      resolve({ children, failedOver });
    };
    const ended = (unit: Unit, child: ExecutionRecord) => {
      active -= 1;
      const status = STATUS_COUNT[child.status] ?? 'aborted';
      move(run.itemCounts, 'running', status, unit.items);
      move(run.executionCounts, 'running', status, 1);
      if (stopped) return;
      if (status !== 'succeeded') failedItems += unit.items;
      if (status !== 'succeeded' && overThreshold(spec, failedItems, total)) return stopAll(true);
      if (next >= unstarted.length && active === 0) return resolve({ children, failedOver: false });
      launch();
    };
    const launch = () => {
      while (!stopped && active < limit && next < unstarted.length) {
        const index = unstarted[next++]!;
        const unit = units[index]!;
        active += 1;
        move(run.itemCounts, 'pending', 'running', unit.items);
        move(run.executionCounts, 'pending', 'running', 1);
        const child = launchChild(scope, spec, run, index);
        children[index] = child;
        const slot = run.units[index];
        if (slot) slot.childArn = child.arn;
        if (child.status !== 'RUNNING') ended(unit, child);
        else
          child.halted.signal.addEventListener('abort', () => queueMicrotask(() => ended(unit, child)), {
            once: true,
          });
      }
    };
    scope.execution.halted.signal.addEventListener('abort', () => stopped || stopAll(false), { once: true });
    if (unstarted.length === 0) resolve({ children, failedOver: false });
    else launch();
  });

const openMapRun = (scope: TaskScope, spec: DistributedMapSpec): MapRunRecord => {
  const { cloud, execution } = scope;
  const label = spec.label ?? randomUUID();
  const machineName = `${execution.stateMachineName}/${label}`;
  const run: MapRunRecord = {
    arn: `arn:aws:states:${execution.region}:${cloud.accountId}:mapRun:${machineName}:${randomUUID()}`,
    executionArn: execution.arn,
    stateMachineArn: `${execution.stateMachineArn}/${label}`,
    status: 'RUNNING',
    startDate: cloud.now(),
    maxConcurrency: spec.maxConcurrency ?? 0,
    toleratedFailurePercentage: spec.toleratedFailurePercentage ?? 0,
    toleratedFailureCount: spec.toleratedFailureCount ?? 0,
    itemCounts: emptyCounts(),
    executionCounts: emptyCounts(),
    stateName: spec.stateName,
    units: [],
    redriveCount: 0,
  };
  statesStore(cloud).mapRuns.set(run.arn, run);
  scope.record('MapRunStarted', { mapRunArn: run.arn });
  return run;
};

const closeMapRun = (scope: TaskScope, run: MapRunRecord, failure?: { error: string; cause: string }) => {
  run.status = failure ? 'FAILED' : 'SUCCEEDED';
  if (!scope.running()) run.status = 'ABORTED';
  run.stopDate = scope.cloud.now();
  if (failure) scope.record('MapRunFailed', failure);
  else scope.record('MapRunSucceeded');
};

/** The Map Run a RedriveExecution resumes at this state, taken once. */
const takeRedrive = (scope: TaskScope, stateName: string): MapRunRecord | undefined => {
  const arn = scope.execution.redriveMapRun;
  const run = arn === undefined ? undefined : statesStore(scope.cloud).mapRuns.get(arn);
  if (!run || run.stateName !== stateName) return undefined;
  delete scope.execution.redriveMapRun;
  return run;
};

/**
 * Resumes a Map Run (redrive-map-run: "Step Functions redrives the unsuccessful child
 * workflow executions", the successful ones keep their results): RUNNING again,
 * MapRunRedriven recorded, counts back to pending for every unit to re-run.
 */
const reopenMapRun = (scope: TaskScope, run: MapRunRecord): (ExecutionRecord | undefined)[] => {
  const executions = statesStore(scope.cloud).executions;
  const kept = run.units.map((u) => {
    const child = u.childArn === undefined ? undefined : executions.get(u.childArn);
    return child?.status === 'SUCCEEDED' ? child : undefined;
  });
  run.status = 'RUNNING';
  delete run.stopDate;
  run.redriveCount += 1;
  run.redriveDate = scope.cloud.now();
  const recount = (counts: RunCounts, size: (u: { items: number }) => number) => {
    const total = run.units.reduce((n, u) => n + size(u), 0);
    const succeeded = run.units.reduce((n, u, i) => n + (kept[i] ? size(u) : 0), 0);
    Object.assign(counts, emptyCounts(), { total, succeeded, pending: total - succeeded });
  };
  recount(run.itemCounts, (u) => u.items);
  recount(run.executionCounts, () => 1);
  scope.record('MapRunRedriven', { mapRunArn: run.arn, redriveCount: run.redriveCount });
  return kept;
};

/** The Map state's result without ResultWriter: each child's output, in item order. */
const inlineResults = (children: (ExecutionRecord | undefined)[]): Json =>
  children.map((child) => {
    if (child?.status === 'SUCCEEDED') return JSON.parse(child.output ?? 'null') as Json;
    // A failed item's place holds its error [unconfirmed: AWS's pages show only ResultWriter output].
    return { Error: child?.error ?? 'States.Runtime', Cause: child?.cause ?? '' };
  });

/**
 * A Distributed Map state (`ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED`) as a Map Run:
 * each item (or ItemBatcher batch) runs as a child execution of the ItemProcessor, with its
 * own history, listed by ListExecutions(mapRunArn); MaxConcurrency bounds them; the run
 * fails with States.ExceedToleratedFailureThreshold once the failed items exceed
 * ToleratedFailureCount / ToleratedFailurePercentage (concepts-asl-use-map-state-distributed,
 * "ToleratedFailurePercentage"). Parent history: MapRunStarted, then MapRunSucceeded or
 * MapRunFailed.
 */
export const distributedMapTask =
  (scope: TaskScope, definedSpec: DistributedMapSpec): TaskHandler =>
  async (input) => {
    await afterQueuedEvents();
    const spec = resolvePaths(definedSpec, input);
    const resumed = takeRedrive(scope, spec.stateName);
    const run = resumed ?? openMapRun(scope, spec);
    let results = { mapRunArn: run.arn, children: [] as ExecutionRecord[], pending: [] as unknown[] };
    try {
      const kept = resumed ? reopenMapRun(scope, resumed) : [];
      if (!resumed) {
        const items = await loadItems(scope, spec, input);
        run.units = await childUnits(scope, spec, input, items);
        run.itemCounts.total = run.itemCounts.pending = items.length;
        run.executionCounts.total = run.executionCounts.pending = run.units.length;
      }
      const units = run.units;
      const outcome = await runChildren(scope, spec, run, units, kept);
      results = {
        mapRunArn: run.arn,
        children: outcome.children.filter((c): c is ExecutionRecord => c !== undefined),
        pending: units.filter((_, i) => outcome.children[i] === undefined).map((u) => u.input),
      };
      if (outcome.failedOver)
        throw new TaskFailure('States.ExceedToleratedFailureThreshold', THRESHOLD_CAUSE);
      const output = spec.resultWriter
        ? await writeResults(scope.cloud, spec.resultWriter, input, contextOf(scope, spec), results)
        : inlineResults(outcome.children);
      if (spec.resultWriter)
        run.itemCounts.resultsWritten = run.executionCounts.resultsWritten = results.children.length;
      closeMapRun(scope, run);
      return output as Json;
    } catch (error) {
      const failure =
        error instanceof Error
          ? { error: error.name, cause: error.message }
          : { error: 'States.Runtime', cause: String(error) };
      // A failed Map Run still writes what its children did, when it got that far.
      if (spec.resultWriter && failure.error === 'States.ExceedToleratedFailureThreshold')
        await writeResults(scope.cloud, spec.resultWriter, input, contextOf(scope, spec), results).catch(
          () => undefined,
        );
      closeMapRun(scope, run, failure);
      throw error;
    }
  };

export const isMapRunArn = (arn: unknown): arn is string =>
  typeof arn === 'string' && /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:mapRun:[^:]+:[^:]+$/.test(arn);
