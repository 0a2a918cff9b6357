/**
 * The state a drill execution carries from step to step (statemachines/drill.asl.yaml): the
 * report so far, the dials recorded before the first write (what is restored), where in the
 * plan it is, and how long the next Wait is. It is a reference, never authority: every step
 * loads the deployed drill of that name and refuses a state whose groups are not the
 * deployed drill's (an input cannot point a write at another accelerator).
 */
import * as z from 'zod';
import { drillSteps } from '../backup/drill.ts';
import { InvalidBackupInput } from '../backup/errors.ts';
import type { DrillConfig } from '../config/drill.ts';
import { policyNameSchema } from '../config/policies.ts';
import type { DrillReport } from './drill.ts';

const writeSchema = z.object({ endpointGroupArn: z.string(), region: z.string(), dial: z.number() }).strict();

const groupSchema = z
  .object({
    endpointGroupArn: z.string(),
    region: z.string(),
    dial: z.number().int().min(0).max(100),
    endpoints: z.array(
      z.object({ endpointId: z.string(), weight: z.number(), healthState: z.string().optional() }).strict(),
    ),
  })
  .strict();

const stepSchema = z
  .object({
    region: z.string(),
    dial: z.number(),
    passed: z.boolean(),
    startedAt: z.string().optional(),
    shiftSeconds: z.number().optional(),
    reason: z.string().optional(),
  })
  .strict();

const reportSchema = z
  .object({
    drill: z.string(),
    accelerator: z.string(),
    mode: z.enum(['plan', 'run']),
    status: z.enum(['planned', 'completed', 'reverted', 'skipped']),
    standbyImageId: z.string(),
    launchTemplateVersion: z.number().optional(),
    recorded: z.array(z.object({ region: z.string(), dial: z.number() }).strict()),
    plan: z.array(z.object({ percent: z.number(), writes: z.array(writeSchema) }).strict()),
    steps: z.array(stepSchema),
    errors: z.array(z.string()),
    restored: z.boolean(),
  })
  .strict() satisfies z.ZodType<DrillReport>;

export const drillProgressSchema = z
  .object({
    drill: policyNameSchema,
    /** The execution's name: the lock's owner. */
    owner: z.string().min(1).max(80),
    report: reportSchema,
    recorded: z.array(groupSchema),
    /** dial: write the next dial; settle: wait for DEPLOYED, read back; bake: alarms as the gate. */
    phase: z.enum(['dial', 'settle', 'bake', 'revert', 'done']),
    step: z.number().int().min(0),
    write: z.number().int().min(0),
    /** When the current settle or bake (or revert wait) began. */
    since: z.iso.datetime(),
    /** What the state machine does next, and the Wait's length. */
    next: z.enum(['wait', 'revert', 'done']),
    waitSeconds: z.number().int().min(1).max(3_600),
    /** Set by the Revert step when an error stopped the drill: the execution then fails. */
    aborted: z.string().optional(),
    /** The Catch's error (ResultPath $.error), read once by Revert. */
    error: z.object({ Error: z.string(), Cause: z.string().optional() }).loose().optional(),
  })
  .strict();

export type DrillProgress = z.infer<typeof drillProgressSchema>;

/**
 * The deployed drill of that name.
 *
 * @throws InvalidBackupInput naming the drill when none of that name is deployed.
 */
export function deployedDrill(step: string, drills: readonly DrillConfig[], name: string): DrillConfig {
  const drill = drills.find((d) => d.name === name);
  if (drill !== undefined) return drill;
  throw new InvalidBackupInput(
    `${step}: invalid input: drill: no deployed drill "${name}" (${drills.length > 0 ? `deployed: ${drills.map((d) => d.name).join(', ')}` : 'none is deployed'})`,
  );
}

/**
 * Refuses a state whose accelerator, recorded groups or planned writes are not the deployed
 * drill's: the deployed config is the only authority over what is dialled.
 *
 * @throws InvalidBackupInput naming the first foreign field.
 */
export function checkProgress(step: string, drill: DrillConfig, progress: DrillProgress): void {
  const groups = new Set([drill.primary.endpointGroupArn, drill.standby.endpointGroupArn]);
  const foreign = [
    ...progress.recorded.map((g, i) => ({ field: `recorded[${i}]`, arn: g.endpointGroupArn })),
    ...progress.report.plan.flatMap((s, i) =>
      s.writes.map((w, j) => ({ field: `report.plan[${i}].writes[${j}]`, arn: w.endpointGroupArn })),
    ),
  ].find((g) => !groups.has(g.arn));
  const [primary, standby] = progress.recorded;
  const planned =
    primary === undefined || standby === undefined
      ? []
      : drillSteps({ primary, standby, steps: drill.steps });
  const problem =
    progress.report.accelerator !== drill.acceleratorArn
      ? `report.accelerator: ${progress.report.accelerator} is not the deployed drill's accelerator`
      : foreign !== undefined
        ? `${foreign.field}: endpoint group ${foreign.arn} is not one of the deployed drill's`
        : primary?.endpointGroupArn !== drill.primary.endpointGroupArn ||
            standby?.endpointGroupArn !== drill.standby.endpointGroupArn
          ? 'recorded: expected the primary group, then the standby group'
          : JSON.stringify(planned) !== JSON.stringify(progress.report.plan)
            ? "report.plan: not the deployed drill's steps from the recorded dials"
            : undefined;
  if (problem !== undefined)
    throw new InvalidBackupInput(
      `${step}: invalid input: ${problem} (drill ${drill.name}): refusing to act on it`,
    );
}

/**
 * The report of a finished drill execution: its output, or — when an error aborted it after
 * the revert — the cause of its DrillAborted (the report too).
 *
 * @throws Error naming the status, error and cause of any other end.
 */
export function drillReportOfExecution(
  execution: { status: string; output?: string; error?: string; cause?: string },
  name: string,
): DrillReport {
  if (execution.status === 'SUCCEEDED' && execution.output !== undefined)
    return drillProgressSchema.parse(JSON.parse(execution.output)).report;
  if (execution.error === 'DrillAborted' && execution.cause !== undefined)
    return reportSchema.parse(JSON.parse(execution.cause));
  throw new Error(
    `the drill ${name} ended ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim(),
  );
}
