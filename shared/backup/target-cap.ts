/**
 * The per-run target cap (`maxTargetsPerRun`), a safety valve on billing. Snapshots, AMIs and
 * cross-region copies are billed per target, and a tag-selected policy can suddenly match a
 * whole account: a run over the cap must fail before anything is created. A dry run only reports it.
 */
import * as z from 'zod';
import { MAX_TARGETS_PER_RUN } from '../config/policies.ts';
import { TooManyTargets } from './errors.ts';

/** Ids beyond the cap a dry run lists (the rest are counted): the state stays small. */
export const NOT_PLANNED_LISTED = 100;

export const targetSelectionSchema = z
  .object({
    /** Targets the selection found (after de-duplication). */
    found: z.number().int().min(0),
    maxTargetsPerRun: z.number().int().min(1),
    /** True when a real run would fail with TooManyTargets. */
    exceeded: z.boolean(),
    /**
     * Dry run over the cap: the first targets beyond it (at most NOT_PLANNED_LISTED), listed
     * but not planned; `found − maxTargetsPerRun` says how many there are in all.
     */
    notPlanned: z.array(z.string()).max(NOT_PLANNED_LISTED).optional(),
  })
  .strict();
export type TargetSelection = z.infer<typeof targetSelectionSchema>;

/**
 * Weighs the selection against the cap. A real run over the cap throws; a dry run gets the
 * figures back (with `exceeded`) so it can plan the selection and say the real run would fail.
 *
 * @throws TooManyTargets when `dryRun` is false and `found` exceeds the cap.
 * @example
 * checkTargetCap({ policy: 'nightly', found: 150, maxTargetsPerRun: 100, dryRun: true });
 * // { found: 150, maxTargetsPerRun: 100, exceeded: true }
 * checkTargetCap({ policy: 'nightly', found: 150, maxTargetsPerRun: 100, dryRun: false });
 * // throws TooManyTargets: policy nightly selected 150 targets, more than maxTargetsPerRun (100); …
 */
export function checkTargetCap(input: {
  policy: string;
  found: number;
  maxTargetsPerRun: number;
  dryRun: boolean;
}): TargetSelection {
  const { found, maxTargetsPerRun } = input;
  const exceeded = found > maxTargetsPerRun;
  if (exceeded && !input.dryRun) {
    throw new TooManyTargets(
      `policy ${input.policy} selected ${found} targets, more than maxTargetsPerRun (${maxTargetsPerRun}); nothing was created: narrow the selection, raise maxTargetsPerRun (at most ${MAX_TARGETS_PER_RUN}) or split the fleet into several policies`,
    );
  }
  return { found, maxTargetsPerRun, exceeded };
}
