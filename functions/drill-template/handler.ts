/**
 * drillTemplate: points the standby's launch template at the verified AMI the gate chose (a new
 * version with that ImageId, read back) before any dial moves.
 */
import {
  checkProgress,
  type DrillProgress,
  deployedDrill,
  drillProgressSchema,
} from '../../shared/backup-service/drill-progress.ts';
import { updateTemplate } from '../../shared/backup-service/drill-rounds.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import { type DrillFunctionDeps, drillDeps, drillEnv } from '../../shared/lambda/drill-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'drill-template';

export function makeHandler(deps: DrillFunctionDeps) {
  return async (event: unknown): Promise<DrillProgress> => {
    const progress = parseTaskInput(STEP, drillProgressSchema, event);
    const drill = deployedDrill(STEP, deps.drills, progress.drill);
    checkProgress(STEP, drill, progress);
    return updateTemplate(deps, drill, progress);
  };
}

export const handler = lambdaHandler({ name: STEP, env: drillEnv, deps: drillDeps, handler: makeHandler });
