/**
 * drillStart: the first step of a drill execution. Its input names a deployed drill (never an
 * accelerator or dials) and whether to run it (`run: true`; without it the plan only,
 * nothing changed). Runs the parity gate (DrillRefused: nothing changed), skips while the
 * accelerator is IN_PROGRESS, takes the accelerator's lock (DrillLocked) and records the dials
 * (with the lock too). Started by the rule on a drill execution that was stopped or timed out
 * (its status-change detail), it puts back the dials that execution recorded with its lock.
 */
import * as z from 'zod';
import type { DrillProgress } from '../../shared/backup-service/drill-progress.ts';
import { deployedDrill } from '../../shared/backup-service/drill-progress.ts';
import { recoverDrill, startDrill } from '../../shared/backup-service/drill-rounds.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { policyNameSchema } from '../../shared/config/policies.ts';
import { type DrillFunctionDeps, drillDeps, drillEnv } from '../../shared/lambda/drill-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'drill-start';

const requested = z.object({ drill: policyNameSchema, run: z.boolean().optional() }).strict();
/** The `Step Functions Execution Status Change` detail of a drill execution that was stopped or timed out. */
const stopped = z
  .object({
    status: z.enum(['ABORTED', 'TIMED_OUT']),
    name: z.string().min(1).max(80),
    input: z.string(),
    executionArn: z.string().startsWith('arn:'),
  })
  .loose();

const inputSchema = z
  .object({ request: z.union([requested, stopped]), owner: z.string().min(1).max(80) })
  .strict();

export function makeHandler(deps: DrillFunctionDeps) {
  return async (event: unknown): Promise<DrillProgress> => {
    const { request, owner } = parseTaskInput(STEP, inputSchema, event);
    if ('executionArn' in request) {
      const original = parseTaskInput(STEP, requested, JSON.parse(request.input));
      return recoverDrill(deps, deployedDrill(STEP, deps.drills, original.drill), request);
    }
    const drill = deployedDrill(STEP, deps.drills, request.drill);
    return startDrill(deps, drill, { run: request.run === true, owner });
  };
}

export const handler = lambdaHandler({ name: STEP, env: drillEnv, deps: drillDeps, handler: makeHandler });
