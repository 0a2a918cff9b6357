/**
 * Per-target progress of a backup execution, folded from its Step Functions history. Every
 * state's input and output carries the target it works on (`backup.target` in the target
 * Map, `target` in the copy Map) and the record the step wrote (`backup.snapshots`,
 * `backup.image`, `copy`, …), so the history alone tells where each target is — the same
 * view on AWS and in the local cloud, and it works after the fact for `backup status`.
 */
import * as z from 'zod';
import type { ExecutionEvent } from '../../shared/aws/sfn-executions.ts';

export type Phase =
  | 'waiting'
  | 'planning'
  | 'snapshots'
  | 'image'
  | 'copies'
  | 'share'
  | 'rotation'
  | 'done'
  | 'failed';

interface CopyProgress {
  region: string;
  state: string;
  imageId?: string;
  progress?: number;
  error?: string;
}

export interface TargetProgress {
  id: string;
  phase: Phase;
  snapshots?: { state: string; progress?: number; count: number };
  image?: { imageId: string; state: string; progress?: number };
  copies: CopyProgress[];
  rotation?: { region: string; deleted: number; kept: number }[];
  error?: string;
}

export interface RunProgress {
  targets: TargetProgress[];
  /** Set when the execution ended. */
  status?: string;
  /** The run summary: the execution output on success, Summarize's output on a failed run. */
  summary?: unknown;
  error?: string;
  cause?: string;
  lastEventId: number;
}

/**
 * Which phase a state belongs to. The names are the contract with
 * `statemachines/backup.asl.yaml` (a unit test checks each one exists there).
 */
export const PHASE_OF_STATE: Readonly<Record<string, Phase>> = {
  CreateSnapshots: 'snapshots',
  RegisterImage: 'image',
  CopyToRegions: 'copies',
  CopyImage: 'copies',
  ShareImage: 'share',
  Rotate: 'rotation',
  TargetFailed: 'failed',
  // Dry runs: one read-only step per target.
  PlanTarget: 'planning',
  PlanFailed: 'failed',
};
export const DISCOVER_STATE = 'DiscoverTargets';
export const SUMMARIZE_STATE = 'Summarize';

const caught = z.object({ Error: z.string(), Cause: z.string().optional() });
const snapshotsSchema = z.object({
  state: z.string(),
  progress: z.number().optional(),
  snapshots: z.array(z.unknown()).optional(),
});
const imageSchema = z.object({ imageId: z.string(), state: z.string(), progress: z.number().optional() });
const copySchema = z.object({
  region: z.string(),
  imageId: z.string().optional(),
  state: z.string().optional(),
  progress: z.number().optional(),
  error: caught.optional(),
});
const rotationSchema = z.object({
  regions: z.array(
    z.object({
      region: z.string(),
      report: z.object({ deleted: z.array(z.string()), keptBackups: z.number() }),
    }),
  ),
});
const targetRef = z.object({ id: z.string() });
/** A target's record: under `backup` inside the target Map, at the top where a state outputs `$.backup`. */
const backupRecord = z.object({
  target: targetRef.optional(),
  snapshots: snapshotsSchema.optional(),
  image: imageSchema.optional(),
  copies: z.array(copySchema).optional(),
  rotation: rotationSchema.optional(),
  error: caught.optional(),
});
const stateDocument = backupRecord.extend({
  run: z.object({ policy: z.object({ copyRegions: z.array(z.object({ region: z.string() })) }) }).optional(),
  targets: z.array(z.object({ id: z.string(), form: z.string().optional() })).optional(),
  copy: copySchema.optional(),
  backup: backupRecord.optional(),
});
type StateDocument = z.infer<typeof stateDocument>;

const parseJson = (text: unknown): unknown => {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const documentOf = (text: unknown): StateDocument | undefined => {
  const parsed = stateDocument.safeParse(parseJson(text));
  return parsed.success ? parsed.data : undefined;
};

const errorLine = (e: z.infer<typeof caught>): string => {
  // Lambda errors arrive as a JSON Cause ({ errorType, errorMessage, … }): keep the message.
  const cause = parseJson(e.Cause) as { errorMessage?: unknown } | undefined;
  const message = typeof cause?.errorMessage === 'string' ? cause.errorMessage : e.Cause;
  return message ? `${e.Error}: ${message}` : e.Error;
};

/** An empty progress (before any history was read). */
export const emptyProgress = (): RunProgress => ({ targets: [], lastEventId: 0 });

type CopyRecord = z.infer<typeof copySchema>;
type TargetRecord = z.infer<typeof backupRecord>;

const END_STATUS: ReadonlyMap<string, string> = new Map([
  ['ExecutionFailed', 'FAILED'],
  ['ExecutionAborted', 'ABORTED'],
  ['ExecutionTimedOut', 'TIMED_OUT'],
]);

const targetOf = (progress: RunProgress, id: string): TargetProgress => {
  let found = progress.targets.find((t) => t.id === id);
  if (found === undefined) {
    found = { id, phase: 'waiting', copies: [] };
    progress.targets.push(found);
  }
  return found;
};

function setCopy(t: TargetProgress, copy: CopyRecord): void {
  const index = t.copies.findIndex((c) => c.region === copy.region);
  const existing = t.copies[index];
  const imageId = copy.imageId ?? existing?.imageId;
  // Each record replaces the last: a progress figure is only true of the state it came with.
  const next: CopyProgress = {
    region: copy.region,
    state: copy.error ? 'failed' : (copy.state ?? existing?.state ?? 'starting'),
    ...(imageId === undefined ? {} : { imageId }),
    ...(copy.progress === undefined ? {} : { progress: copy.progress }),
    ...(copy.error ? { error: errorLine(copy.error) } : {}),
  };
  if (index >= 0) t.copies[index] = next;
  else t.copies.push(next);
}

/** The run's own end (success, failure, abort, timeout); false for any other event. */
function applyExecutionEnd(progress: RunProgress, event: ExecutionEvent): boolean {
  const { details } = event;
  if (event.type === 'ExecutionSucceeded') {
    progress.status = 'SUCCEEDED';
    progress.summary = parseJson(details.output);
    return true;
  }
  const status = END_STATUS.get(event.type);
  if (status === undefined) return false;
  progress.status = status;
  if (typeof details.error === 'string') progress.error = details.error;
  if (typeof details.cause === 'string') progress.cause = details.cause;
  return true;
}

/** DiscoverTargets named the targets: each one that gets an AMI waits for its copies. */
function applyDiscovered(progress: RunProgress, doc: StateDocument): void {
  const copyRegions = doc.run?.policy.copyRegions.map((c) => c.region) ?? [];
  for (const t of doc.targets ?? []) {
    const progressOf = targetOf(progress, t.id);
    if (t.form !== 'snapshots-only' && progressOf.copies.length === 0)
      progressOf.copies = copyRegions.map((region) => ({ region, state: 'waiting' }));
  }
}

/** The records a target's step carried: snapshots, image, copies, rotation, error. */
function applyRecord(t: TargetProgress, backup: TargetRecord | undefined): void {
  if (backup?.snapshots) {
    t.snapshots = {
      state: backup.snapshots.state,
      count: backup.snapshots.snapshots?.length ?? t.snapshots?.count ?? 0,
      ...(backup.snapshots.progress === undefined ? {} : { progress: backup.snapshots.progress }),
    };
  }
  if (backup?.image) {
    t.image = {
      imageId: backup.image.imageId,
      state: backup.image.state,
      ...(backup.image.progress === undefined ? {} : { progress: backup.image.progress }),
    };
  }
  for (const copy of backup?.copies ?? []) setCopy(t, copy);
  if (backup?.rotation) {
    t.rotation = backup.rotation.regions.map((r) => ({
      region: r.region,
      deleted: r.report.deleted.length,
      kept: r.report.keptBackups,
    }));
  }
}

/** A state of one target entered or exited: its phase and records. */
function applyTargetState(progress: RunProgress, doc: StateDocument, name: string, exited: boolean): void {
  const id = doc.backup?.target?.id ?? doc.target?.id;
  if (id === undefined) return;
  const t = targetOf(progress, id);
  const phase = PHASE_OF_STATE[name];
  if (phase !== undefined && t.phase !== 'failed' && t.phase !== 'done') t.phase = phase;
  // Inside the copy Map the document is { run, target, source, copy }: only `copy` is this target's.
  const backup = doc.backup ?? (doc.copy === undefined ? doc : undefined);
  applyRecord(t, backup);
  if (doc.copy) setCopy(t, doc.copy);
  if (backup?.error) {
    t.error = errorLine(backup.error);
    t.phase = 'failed';
  }
  if ((name === 'Rotate' || name === 'PlanTarget') && exited && t.phase !== 'failed') t.phase = 'done';
}

/** One state entered or exited; other events carry nothing a target shows. */
function applyStateEvent(progress: RunProgress, event: ExecutionEvent): void {
  const { details } = event;
  const name = typeof details.name === 'string' ? details.name : '';
  const entered = event.type.endsWith('StateEntered');
  const exited = event.type.endsWith('StateExited');
  if (!entered && !exited) return;
  const doc = documentOf(entered ? details.input : details.output);
  if (doc === undefined) return;
  if (name === DISCOVER_STATE && exited) {
    applyDiscovered(progress, doc);
    return;
  }
  if (name === SUMMARIZE_STATE && exited) {
    const out = parseJson(details.output) as { summary?: unknown } | undefined;
    if (out?.summary !== undefined) progress.summary = out.summary;
    return;
  }
  applyTargetState(progress, doc, name, exited);
}

/**
 * Applies history events (in order) to the progress; pure, so `backup run --wait` can
 * feed it page after page and `backup status` all at once.
 *
 * @example
 * const progress = foldHistory(emptyProgress(), await sfn.history(executionArn));
 * progress.targets[0]; // { id: 'i-0abc…', phase: 'copies', image: { imageId: 'ami-…', state: 'available' }, … }
 */
export function foldHistory(
  previous: RunProgress,
  events: readonly ExecutionEvent[],
  /** A child execution's events (one target): its own start and end are not the run's. */
  { child = false }: { child?: boolean } = {},
): RunProgress {
  const progress: RunProgress = {
    ...previous,
    targets: previous.targets.map((t) => ({ ...t, copies: t.copies.map((c) => ({ ...c })) })),
  };
  for (const event of events) {
    if (!child) progress.lastEventId = Math.max(progress.lastEventId, event.id);
    else if (event.type.startsWith('Execution')) continue;
    if (!applyExecutionEnd(progress, event)) applyStateEvent(progress, event);
  }
  return progress;
}

/** A percentage only means something while pending (a finished record may carry its last poll's figure). */
const pct = (state: string, value: number | undefined): string =>
  value === undefined || state !== 'pending' ? '' : ` ${Math.round(value)}%`;

/**
 * One human line per target; `backup run --wait` prints it whenever it changes.
 *
 * @example
 * targetLine({ id: 'i-0abc', phase: 'snapshots', snapshots: { state: 'pending', progress: 42, count: 2 }, copies: [] });
 * // 'i-0abc: snapshots pending 42% (2)'
 */
export function targetLine(t: TargetProgress): string {
  const parts: string[] = [];
  if (t.snapshots)
    parts.push(
      `snapshots ${t.snapshots.state}${pct(t.snapshots.state, t.snapshots.progress)} (${t.snapshots.count})`,
    );
  if (t.image) parts.push(`AMI ${t.image.imageId} ${t.image.state}${pct(t.image.state, t.image.progress)}`);
  if (t.copies.length > 0 && (t.image || t.copies.some((c) => c.state !== 'waiting'))) {
    parts.push(
      `copies ${t.copies
        .map((c) => `${c.region} ${c.imageId ? `${c.imageId} ` : ''}${c.state}${pct(c.state, c.progress)}`)
        .join(', ')}`,
    );
  }
  if (t.rotation) {
    parts.push(
      `rotation ${t.rotation.map((r) => `${r.region} deleted ${r.deleted} kept ${r.kept} backup(s)`).join(', ')}`,
    );
  }
  const head = t.phase === 'done' ? 'done' : t.phase === 'failed' ? 'FAILED' : t.phase;
  const body = parts.length > 0 ? `: ${parts.join('; ')}` : '';
  return `${t.id} [${head}]${body}${t.error ? ` — ${t.error}` : ''}`;
}
