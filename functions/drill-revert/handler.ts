/**
 * drillRevert: one move back to the recorded dials (after the last step, an alarm, a timeout,
 * or any error through the Catch), then releases the lock. An error handed over is recorded
 * and makes the execution fail once the dials are restored.
 */
import {
  checkProgress,
  type DrillProgress,
  deployedDrill,
  drillProgressSchema,
} from '../../shared/backup-service/drill-progress.ts';
import { revertRound } from '../../shared/backup-service/drill-rounds.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { type DrillFunctionDeps, drillDeps, drillEnv } from '../../shared/lambda/drill-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'drill-revert';

export function makeHandler(deps: DrillFunctionDeps) {
  return async (event: unknown): Promise<DrillProgress> => {
    const progress = parseTaskInput(STEP, drillProgressSchema, event);
    const drill = deployedDrill(STEP, deps.drills, progress.drill);
    checkProgress(STEP, drill, progress);
    return revertRound(deps, drill, progress);
  };
}

export const handler = lambdaHandler({ name: STEP, env: drillEnv, deps: drillDeps, handler: makeHandler });
