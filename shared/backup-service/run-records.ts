/**
 * Run records: DiscoverTargets writes one per run id, atomically (create-only), before
 * anything is created. A run id that already has a record from another execution is
 * refused, so a run id produces backups once; rotation asks which run ids were recorded to
 * tell Shipyard's backups from look-alikes.
 */
import * as z from 'zod';
import { RunAlreadyRecorded } from '../backup/errors.ts';
import { isValidExecutionName } from '../backup/naming.ts';
import { policyNameSchema } from '../config/policies.ts';

export const runRecordSchema = z
  .object({
    policy: policyNameSchema,
    runId: z.string().refine(isValidExecutionName, 'not a valid execution name'),
    policyVersion: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    startedAt: z.iso.datetime({ offset: true }),
    dryRun: z.boolean(),
    /** The ids the run selected. */
    targets: z.array(z.string()),
    /**
     * Which execution wrote it: ARN + start time (an ARN alone names every execution ever
     * started with that name on that state machine).
     */
    execution: z.object({ id: z.string().min(1), startTime: z.string().min(1) }).strict(),
  })
  .strict();
export type RunRecord = z.infer<typeof runRecordSchema>;

export type RecordOutcome = { created: true } | { created: false; existing: RunRecord | undefined };

/** The port (adapter: shared/aws/s3-run-records.ts). */
export interface RunRecords {
  /** Creates the run's record unless one exists (then returns it; `undefined` if unreadable). */
  record(record: RunRecord): Promise<RecordOutcome>;
  /** Run ids of the policy that have a record. */
  recordedRunIds(policy: string): Promise<string[]>;
}

const sameExecution = (a: RunRecord['execution'], b: RunRecord['execution']): boolean =>
  a.id === b.id && a.startTime === b.startTime;

/**
 * Records the run; a retried DiscoverTargets of the same execution finds its own record and
 * carries on with it (its instant and targets, as first recorded).
 *
 * @throws RunAlreadyRecorded when another execution recorded this run id.
 */
export async function recordRun(records: RunRecords, record: RunRecord): Promise<RunRecord> {
  const outcome = await records.record(record);
  if (outcome.created) return record;
  const { existing } = outcome;
  if (existing !== undefined && sameExecution(existing.execution, record.execution)) return existing;
  throw new RunAlreadyRecorded(
    `run ${record.runId} of policy ${record.policy} was already recorded${existing === undefined ? '' : ` by ${existing.execution.id} started ${existing.execution.startTime}`}: a run id produces backups once; start a run with a new name`,
  );
}
