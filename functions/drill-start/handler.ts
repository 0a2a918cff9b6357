/**
 * drillStart: the first step of a drill execution. Its input names a deployed drill (never an
 * accelerator or dials) and whether to run it (`run: true`; without it the plan only,
 * nothing changed). Runs the parity gate (DrillRefused: nothing changed), skips while the
 * accelerator is IN_PROGRESS, takes the accelerator's lock (DrillLocked) and records the dials.
 */
import * as z from 'zod';
import type { DrillProgress } from '../../shared/backup-service/drill-progress.ts';
import { deployedDrill } from '../../shared/backup-service/drill-progress.ts';
import { startDrill } from '../../shared/backup-service/drill-rounds.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { policyNameSchema } from '../../shared/config/policies.ts';
import { type DrillFunctionDeps, drillDeps, drillEnv } from '../../shared/lambda/drill-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'drill-start';

const inputSchema = z
  .object({
    request: z.object({ drill: policyNameSchema, run: z.boolean().optional() }).strict(),
    owner: z.string().min(1).max(80),
  })
  .strict();

export function makeHandler(deps: DrillFunctionDeps) {
  return async (event: unknown): Promise<DrillProgress> => {
    const { request, owner } = parseTaskInput(STEP, inputSchema, event);
    const drill = deployedDrill(STEP, deps.drills, request.drill);
    return startDrill(deps, drill, { run: request.run === true, owner });
  };
}

export const handler = lambdaHandler({ name: STEP, env: drillEnv, deps: drillDeps, handler: makeHandler });
