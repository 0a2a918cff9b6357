/**
 * drillDial: one move of the dial steps after each Wait: write one dial (fail-open guard first),
 * see it settle (DEPLOYED) and read back, or look at the alarms during a bake; says how long
 * to Wait next, or that the drill goes back (every step passed, an alarm, a timeout).
 */
import {
  checkProgress,
  type DrillProgress,
  deployedDrill,
  drillProgressSchema,
} from '../../shared/backup-service/drill-progress.ts';
import { dialRound } from '../../shared/backup-service/drill-rounds.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { type DrillFunctionDeps, drillDeps, drillEnv } from '../../shared/lambda/drill-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'drill-dial';

export function makeHandler(deps: DrillFunctionDeps) {
  return async (event: unknown): Promise<DrillProgress> => {
    const progress = parseTaskInput(STEP, drillProgressSchema, event);
    const drill = deployedDrill(STEP, deps.drills, progress.drill);
    checkProgress(STEP, drill, progress);
    return dialRound(deps, drill, progress);
  };
}

export const handler = lambdaHandler({ name: STEP, env: drillEnv, deps: drillDeps, handler: makeHandler });
