/**
 * Restore verification as a state machine runs it: the same use case as runVerification
 * (shared/backup-service/verify.ts), cut into short steps over a state that travels in the
 * execution — start (sweep, refusals, selection), one round per poll (launch what fits,
 * judge what runs), and the abandon step a Catch ends on. The wait between rounds is the
 * state machine's Wait state, so no function holds a verification open.
 */
import * as z from 'zod';
import { launchKey, recordedLaunchOf } from '../backup/verification.ts';
import { verificationRecordSchema } from '../backup/verification-record.ts';
import type { BackupPolicy } from '../config/policies.ts';
import { verifyRegionSchema } from '../config/verify.ts';
import {
  type Active,
  finisher,
  judgeActive,
  launchWhatFits,
  type Queued,
  requireProbeClient,
  selectVerifications,
  VERIFY_POLL_MS,
  type VerifyDeps,
} from './verify.ts';
import { type SweepDeps, sweepVerifications } from './verify-sweep.ts';

const candidateSchema = z
  .object({
    policy: z.string().min(1),
    target: z.string().min(1),
    region: z.string().min(1),
    imageId: z.string().min(1),
    architecture: z.string().min(1),
    ours: z.boolean(),
  })
  .strict();

const imageSchema = z
  .object({
    imageId: z.string().min(1),
    name: z.string().optional(),
    state: z.string(),
    creationDate: z.string(),
    architecture: z.string(),
    tags: z.record(z.string(), z.string()),
    snapshotIds: z.array(z.string()),
  })
  .strict();

/** What a verification execution carries from round to round (at most maxPerRun entries). */
export const verificationProgressSchema = z
  .object({
    policy: z.string().min(1),
    verificationId: z.string().min(1),
    queue: z.array(
      z.object({ candidate: candidateSchema, image: imageSchema, entry: verifyRegionSchema }).strict(),
    ),
    active: z.array(
      z
        .object({
          candidate: candidateSchema,
          image: imageSchema,
          instanceId: z.string().min(1),
          launchedAt: z.string(),
          deadlineMs: z.number(),
          /** The HTTP probe's progress (verify.httpProbe), carried from round to round. */
          probe: z
            .object({
              commandId: z.string().optional(),
              attempts: z.number().int().min(0),
              httpStatus: z.number().int().optional(),
              detail: z.string().optional(),
            })
            .strict()
            .optional(),
        })
        .strict(),
    ),
    results: z.array(verificationRecordSchema),
    /** Nothing queued and nothing running: the verification is over. */
    done: z.boolean(),
    /** The Wait state's seconds before the next round. */
    pollSeconds: z.number().int().min(1),
    /** Why nothing was verified (a dry-run backup, a policy that does not verify after runs). */
    skipped: z.string().optional(),
  })
  .strict();

export type VerificationProgress = z.infer<typeof verificationProgressSchema>;

type RoundDeps = Omit<VerifyDeps, 'sleep'>;

/** What the steps of a verification execution run over (the sweep's ports included). */
export type VerificationRoundDeps = RoundDeps & { sweep: SweepDeps };

const progressOf = (
  base: Pick<VerificationProgress, 'policy' | 'verificationId' | 'results'>,
  queue: Queued[],
  active: Map<string, Active>,
): VerificationProgress => ({
  ...base,
  queue,
  active: [...active.values()],
  done: queue.length === 0 && active.size === 0,
  pollSeconds: VERIFY_POLL_MS / 1000,
});

/**
 * The first step: the sweep of overdue verification instances in the policy's regions, then
 * every refusal (isolation, caps) before anything is launched, then the selection.
 *
 * @throws VerificationRefused (nothing launched).
 */
export async function startVerification(
  deps: VerificationRoundDeps,
  request: { policy: BackupPolicy; verificationId: string; targets?: readonly string[] },
): Promise<VerificationProgress> {
  requireProbeClient(deps, request.policy);
  const regions = request.policy.verify?.regions.map((r) => r.region) ?? [];
  await sweepVerifications(deps.sweep, regions);
  const { queue } = await selectVerifications(deps, request);
  return progressOf(
    { policy: request.policy.name, verificationId: request.verificationId, results: [] },
    queue,
    new Map(),
  );
}

/** One round: launch what fits the caps, judge what runs, finish what passed or failed. */
export async function verificationRound(
  deps: RoundDeps,
  policy: BackupPolicy,
  progress: VerificationProgress,
): Promise<VerificationProgress> {
  const verify = policy.verify;
  if (verify === undefined) throw new Error(`policy ${policy.name} no longer verifies`);
  const request = { policy, verificationId: progress.verificationId };
  const queue: Queued[] = [...progress.queue];
  const active = new Map(progress.active.map((a) => [a.instanceId, a]));
  const results = [...progress.results];
  await launchWhatFits(deps, request, verify, queue, active, results);
  await judgeActive(deps, request.verificationId, verify, active, finisher(deps, request, active, results));
  return progressOf({ ...progress, results }, queue, active);
}

/**
 * After an error (the Catch of a round): terminates the instances the execution launched —
 * only those Shipyard's own store recorded (a tag alone is no proof): the active ones by
 * their recorded instance, and the intents of this verification whose instance was never
 * recorded (a crash between RunInstances and its record) by their ClientToken — and forgets
 * them. What is left (a stopped execution) is the sweep's.
 */
export async function abandonVerification(
  deps: Pick<RoundDeps, 'ec2' | 'store'>,
  progress: Pick<VerificationProgress, 'active'> &
    Partial<Pick<VerificationProgress, 'queue' | 'verificationId'>>,
): Promise<string[]> {
  const terminated: string[] = [];
  const regions = [
    ...new Set([
      ...progress.active.map((a) => a.candidate.region),
      ...(progress.queue ?? []).map((q) => q.entry.region),
    ]),
  ].sort();
  for (const region of regions) {
    const recorded = await deps.store.launches(region);
    const recordedIds = new Set(recorded.flatMap((l) => (l.instanceId === undefined ? [] : [l.instanceId])));
    const active = progress.active
      .filter((a) => a.candidate.region === region && recordedIds.has(a.instanceId))
      .map((a) => a.instanceId);
    const orphans = recorded.filter(
      (l) =>
        l.instanceId === undefined &&
        l.intentId !== undefined &&
        progress.verificationId !== undefined &&
        l.verificationId === progress.verificationId,
    );
    const found =
      orphans.length === 0
        ? []
        : (
            await deps.ec2(region).verificationInstances(
              [],
              orphans.flatMap((o) => (o.intentId === undefined ? [] : [o.intentId])),
            )
          ).filter(
            (i) =>
              recordedLaunchOf(i, orphans) !== undefined &&
              !['shutting-down', 'terminated'].includes(i.state),
          );
    const ids = [...active, ...found.map((i) => i.instanceId)];
    if (ids.length > 0) await deps.ec2(region).terminate(ids);
    const forget = recorded.filter(
      (l) => (l.instanceId !== undefined && active.includes(l.instanceId)) || orphans.includes(l),
    );
    for (const launch of forget) await deps.store.forgetLaunch(region, launchKey(launch));
    terminated.push(...ids);
  }
  return terminated;
}
