/**
 * Per-target Map outputs (`$.backup` of each iteration, successful or caught) → the
 * domain summary's input. The step a failure happened at is read off the record: the
 * first stage that did not complete.
 */
import { type Failure, failureFromCatch, type RegionResult, type TargetResult } from '../backup/summary.ts';
import type { BackupState, Run } from './state.ts';

export function failedStep(b: BackupState): string {
  if (b.snapshots === undefined || b.snapshots.state !== 'completed') return 'snapshot';
  if (b.target.form === 'snapshots-only') return 'rotate';
  if (b.image === undefined || b.image.state !== 'available') return 'register';
  if (b.copies === undefined) return 'copy';
  if (b.share === undefined) return 'share';
  return 'rotate';
}

function shareFailure(b: BackupState, region: string): Failure | undefined {
  const refused = b.share?.regions.find((r) => r.region === region && r.status === 'failed');
  return refused === undefined
    ? undefined
    : { error: 'ImageShareFailed', reason: refused.detail ?? 'refused', step: 'share' };
}

const rotationOf = (b: BackupState, region: string) =>
  b.rotation?.regions.find((r) => r.region === region)?.report;

function region(fields: RegionResult, failure: Failure | undefined, b: BackupState): RegionResult {
  const out: RegionResult = { ...fields };
  if (failure !== undefined) {
    out.status = 'failed';
    out.failure = failure;
  }
  const rotation = rotationOf(b, fields.region);
  if (rotation !== undefined) out.rotation = rotation;
  return out;
}

const times = (startedAt?: string, finishedAt?: string) => ({
  ...(startedAt === undefined ? {} : { startedAt }),
  ...(finishedAt === undefined ? {} : { finishedAt }),
});

export function targetResult(run: Run, b: BackupState, finishedAt: string): TargetResult {
  const step = b.error === undefined ? undefined : failedStep(b);
  const failure = b.error === undefined ? undefined : failureFromCatch(b.error, step);
  const early = step === 'snapshot' || step === 'register';
  const sourceRegion = run.policy.sourceRegion;
  const regions: RegionResult[] = [
    region(
      {
        region: sourceRegion,
        role: 'source',
        status: 'succeeded',
        // CreateImage's own snapshots replace the (deleted) CreateSnapshots set.
        snapshotIds: b.image?.snapshotIds ?? b.snapshots?.snapshots.map((s) => s.snapshotId) ?? [],
        ...(b.image === undefined ? {} : { imageId: b.image.imageId }),
        ...times(b.snapshots?.startedAt, b.image?.completedAt ?? b.snapshots?.completedAt),
      },
      early ? failure : shareFailure(b, sourceRegion),
      b,
    ),
  ];
  if (b.target.form === 'image') {
    for (const { region: name } of run.policy.copyRegions) {
      const copy = b.copies?.find((c) => c.region === name);
      const fields: RegionResult = {
        region: name,
        role: 'copy',
        status: copy === undefined ? 'skipped' : 'succeeded',
        ...(copy?.imageId === undefined ? {} : { imageId: copy.imageId }),
        ...times(copy?.startedAt, copy?.completedAt),
      };
      let copyFailure: Failure | undefined;
      if (copy?.error !== undefined) copyFailure = failureFromCatch(copy.error, 'copy');
      else if (copy !== undefined && copy.state !== 'available') {
        copyFailure = { error: 'ImageCopyFailed', reason: 'copy did not complete', step: 'copy' };
      } else if (copy !== undefined) copyFailure = shareFailure(b, name);
      regions.push(region(fields, copyFailure, b));
    }
  }
  const result: TargetResult = {
    target: b.target.id,
    kind: b.target.kind,
    startedAt: b.snapshots?.startedAt ?? run.startedAt,
    finishedAt,
    regions,
  };
  if (failure !== undefined && !early) result.failure = failure;
  if (b.image?.method !== undefined)
    result.image = {
      method: b.image.method,
      reason: b.image.methodReason ?? '',
      ...(b.image.attributes === undefined ? {} : { carried: b.image.attributes.carried }),
    };
  const notes = imageNotes(b);
  if (notes.length > 0) result.notes = notes;
  return result;
}

/** The run summary's lines for what the image step could not do as asked. */
function imageNotes(b: BackupState): string[] {
  const image = b.image;
  const notes = (image?.attributes?.notCarried ?? []).map((n) => `not carried: ${n}`);
  if (image?.discardedImageId !== undefined)
    notes.push(`registered AMI ${image.discardedImageId} discarded, replaced by CreateImage`);
  if (image?.supersededSnapshotIds !== undefined)
    notes.push(
      `CreateSnapshots set deleted (CreateImage took its own): ${image.supersededSnapshotIds.join(', ')}`,
    );
  notes.push(...refusedShareNotes(b));
  return notes;
}

/**
 * One line per refused public share and reason, naming the regions it was refused in (a
 * refused account, organization or OU share fails its region and is reported as a failure).
 */
function refusedShareNotes(b: BackupState): string[] {
  const regionsOf = new Map<string, string[]>();
  for (const r of b.share?.regions ?? [])
    for (const k of r.kinds ?? []) {
      if (k.status !== 'refused' || k.kind !== 'public') continue;
      const line = `${k.kind} sharing refused: ${k.code ?? 'refused'}: ${k.reason ?? ''}`;
      regionsOf.set(line, [...(regionsOf.get(line) ?? []), r.region]);
    }
  return [...regionsOf].map(([line, regions]) => `${line} (${regions.join(', ')})`);
}
