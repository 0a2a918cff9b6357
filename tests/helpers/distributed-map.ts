/**
 * A Distributed Map for the in-process harness (tests/helpers/backup-workflow.ts):
 * aws-local-stepfunctions runs every Map inline and knows neither ItemReader nor
 * ResultWriter, so each `ProcessorConfig.Mode: DISTRIBUTED` Map of the parent is replaced by
 * a Task bound to {@link runDistributedMap}, which does what the Step Functions Developer
 * Guide documents ("Using Map state in Distributed mode", "ItemReader (Map)",
 * "ResultWriter (Map)", "Redriving Map Runs"):
 * - reads the items from S3 (`ItemReader`, `InputType: JSON`: a JSON array); a missing
 *   object or one that is not a JSON array fails the Map with `States.ItemReaderFailed`;
 * - runs one child execution per item (`ItemSelector` with `$$.Map.Item.Value/Index`), at
 *   most `MaxConcurrency(Path)` at a time;
 * - exports the children to S3 (`ResultWriter`): `<Prefix>/<map run id>/manifest.json` and
 *   `SUCCEEDED_0.json` / `FAILED_0.json`, each an array of `{ ExecutionArn, Name, Status,
 *   Input, Output | Error, Cause, … }`; a failed write is `States.ResultWriterFailed`;
 * - fails with `States.ExceedToleratedFailureThreshold` over `ToleratedFailurePercentage`;
 * - outputs `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }`;
 * - on a redrive, re-runs only the children that did not succeed (the others keep their
 *   first result).
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AslDefinition, AslState } from './backup-asl.ts';
import { readPath } from './backup-asl.ts';

/** A child execution as the harness ran it. */
export interface ChildRun {
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** History events the child would have recorded on AWS (an estimate, see backup-workflow.ts). */
  historyEvents: number;
}

export interface DistributedMapScope {
  s3: () => S3Client;
  /** Runs the Map's ItemProcessor as one child execution. */
  runChild: (processor: AslDefinition, input: unknown, name: string) => Promise<ChildRun>;
  /** The parent execution's name and whether this is a redrive of it. */
  parent: { name: string; arn: string; redrive: boolean };
  /** Results of the children that succeeded, per parent execution and Map (kept across redrives). */
  succeeded: Map<string, Map<number, ChildRecord>>;
  /** Called after each child ends (fault scenarios stop the parent there). */
  onChildEnd?: (done: number, total: number) => void;
  /** True once the parent was stopped: the Map writes nothing more. */
  stopped?: () => boolean;
}

export interface ChildRecord {
  ExecutionArn: string;
  Name: string;
  Status: string;
  Input: string;
  InputDetails: { Included: boolean };
  Output?: string;
  OutputDetails?: { Included: boolean };
  Error?: string;
  Cause?: string;
  StartDate: string;
  StopDate: string;
  StateMachineArn: string;
  RedriveCount: number;
}

class StatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Resolves `Parameters` / `ItemSelector` (keys ending in `.$` are paths). */
function resolve(template: unknown, input: unknown, item?: { value: unknown; index: number }): unknown {
  if (Array.isArray(template)) return template.map((t) => resolve(t, input, item));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (!key.endsWith('.$')) {
      out[key] = resolve(value, input, item);
      continue;
    }
    const path = String(value);
    const name = key.slice(0, -2);
    if (path === '$$.Map.Item.Value') out[name] = item?.value;
    else if (path === '$$.Map.Item.Index') out[name] = item?.index;
    else if (path.startsWith('$.') || path === '$') out[name] = readPath(input, path);
    else throw new Error(`distributed map harness: unsupported path ${path}`);
  }
  return out;
}

const isDistributed = (state: AslState): boolean =>
  state.Type === 'Map' &&
  (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode ===
    'DISTRIBUTED';

/** The Lambda ARN the stand-in Task of a Distributed Map carries (its local handler replaces it). */
const standInArn = (state: string) =>
  `arn:aws:lambda:eu-west-1:123456789012:function:distributed-map-${state}`;

/**
 * The parent with each top-level Distributed Map replaced by a stand-in Task (same input,
 * ResultPath, Catch and transition), and the Maps by state name.
 */
export function withDistributedMapsAsTasks(definition: AslDefinition): {
  parent: AslDefinition;
  maps: Map<string, AslState>;
} {
  const maps = new Map<string, AslState>();
  const states: Record<string, AslState> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (!isDistributed(state)) {
      states[name] = state;
      continue;
    }
    maps.set(name, state);
    // A week: the interpreter times Tasks with setTimeout, which fires at once past ~24.8 days.
    const task: AslState = { Type: 'Task', Resource: standInArn(name), TimeoutSeconds: 7 * 86_400 };
    for (const key of ['InputPath', 'ResultPath', 'OutputPath', 'Catch', 'Next', 'End', 'Comment'])
      if (state[key] !== undefined) task[key] = state[key];
    states[name] = task;
  }
  return { parent: { ...definition, States: states }, maps };
}

/** The ItemProcessor as a state machine of its own (what each child execution runs). */
export function processorOf(map: AslState): AslDefinition {
  const { StartAt, States } = map.ItemProcessor as AslDefinition;
  return { StartAt, States };
}

async function readItems(scope: DistributedMapScope, map: AslState, input: unknown): Promise<unknown[]> {
  const reader = map.ItemReader as { Parameters: unknown; ReaderConfig?: { InputType?: string } };
  const { Bucket, Key } = resolve(reader.Parameters, input) as { Bucket: string; Key: string };
  let text: string;
  try {
    const got = await scope.s3().send(new GetObjectCommand({ Bucket, Key }));
    text = (await got.Body?.transformToString()) ?? '';
  } catch (error) {
    throw new StatesError('States.ItemReaderFailed', `s3://${Bucket}/${Key}: ${(error as Error).name}`);
  }
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    throw new StatesError('States.ItemReaderFailed', `s3://${Bucket}/${Key}: not JSON`);
  }
  if (!Array.isArray(items))
    throw new StatesError('States.ItemReaderFailed', `s3://${Bucket}/${Key}: not a JSON array`);
  return items;
}

/** Runs `work` on every index, at most `limit` at a time. */
async function pool(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

async function writeResults(
  scope: DistributedMapScope,
  map: AslState,
  input: unknown,
  mapRunArn: string,
  records: ChildRecord[],
): Promise<{ Bucket: string; Key: string }> {
  const writer = map.ResultWriter as { Parameters: unknown };
  const { Bucket, Prefix } = resolve(writer.Parameters, input) as { Bucket: string; Prefix: string };
  const runId = mapRunArn.split(':').at(-1) ?? '';
  const base = `${Prefix.replace(/\/$/, '')}/${runId}`;
  const put = async (Key: string, body: unknown) => {
    const text = JSON.stringify(body);
    try {
      await scope.s3().send(new PutObjectCommand({ Bucket, Key, Body: text }));
    } catch (error) {
      throw new StatesError('States.ResultWriterFailed', `s3://${Bucket}/${Key}: ${(error as Error).name}`);
    }
    return { Key, Size: Buffer.byteLength(text) };
  };
  const files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]> = {
    SUCCEEDED: [],
    FAILED: [],
    PENDING: [],
  };
  for (const status of ['SUCCEEDED', 'FAILED'] as const) {
    const of = records.filter((r) =>
      status === 'SUCCEEDED' ? r.Status === 'SUCCEEDED' : r.Status !== 'SUCCEEDED',
    );
    if (of.length > 0) files[status].push(await put(`${base}/${status}_0.json`, of));
  }
  const manifest = `${base}/manifest.json`;
  await put(manifest, { DestinationBucket: Bucket, MapRunArn: mapRunArn, ResultFiles: files });
  return { Bucket, Key: manifest };
}

/** The stand-in Task's handler: the Distributed Map `name` of the parent, run on `input`. */
export async function runDistributedMap(
  scope: DistributedMapScope,
  name: string,
  map: AslState,
  input: unknown,
): Promise<unknown> {
  const items = await readItems(scope, map, input);
  const limitPath = map.MaxConcurrencyPath as string | undefined;
  const limit =
    Number(limitPath === undefined ? (map.MaxConcurrency ?? 0) : readPath(input, limitPath)) || 10_000;
  const processor = processorOf(map);
  const key = `${scope.parent.name}/${name}`;
  const kept = scope.parent.redrive
    ? (scope.succeeded.get(key) ?? new Map())
    : new Map<number, ChildRecord>();
  scope.succeeded.set(key, kept);
  const mapRunArn = `${scope.parent.arn.replace(':execution:', ':mapRun:')}/${name}:${randomUUID()}`;
  const records: ChildRecord[] = new Array(items.length);
  let done = 0;
  await pool(items.length, limit, async (index) => {
    const previous = kept.get(index);
    if (previous !== undefined) {
      records[index] = previous;
      done += 1;
      return;
    }
    const childInput = resolve(map.ItemSelector ?? { 'value.$': '$$.Map.Item.Value' }, input, {
      value: items[index],
      index,
    });
    const childName = `${scope.parent.name}-${name}-${index}`;
    const startDate = new Date().toISOString();
    const child = await scope.runChild(processor, childInput, childName);
    const record: ChildRecord = {
      ExecutionArn: `${mapRunArn}:${childName}`,
      Name: childName,
      Status: child.status,
      Input: JSON.stringify(childInput),
      InputDetails: { Included: true },
      StartDate: startDate,
      StopDate: new Date().toISOString(),
      StateMachineArn: mapRunArn,
      RedriveCount: scope.parent.redrive ? 1 : 0,
      ...(child.status === 'SUCCEEDED'
        ? { Output: JSON.stringify(child.output ?? null), OutputDetails: { Included: true } }
        : { Error: child.error ?? 'States.Runtime', Cause: child.cause ?? '' }),
    };
    records[index] = record;
    if (child.status === 'SUCCEEDED') kept.set(index, record);
    done += 1;
    scope.onChildEnd?.(done, items.length);
  });
  if (scope.stopped?.()) throw new StatesError('States.Aborted', 'the parent execution was stopped');
  const failed = records.filter((r) => r.Status !== 'SUCCEEDED').length;
  const tolerated = Number(map.ToleratedFailurePercentage ?? 0);
  if (items.length > 0 && (failed / items.length) * 100 > tolerated)
    throw new StatesError(
      'States.ExceedToleratedFailureThreshold',
      `${failed} of ${items.length} child executions failed (tolerated: ${tolerated}%)`,
    );
  const details = await writeResults(scope, map, input, mapRunArn, records);
  return { MapRunArn: mapRunArn, ResultWriterDetails: details };
}
