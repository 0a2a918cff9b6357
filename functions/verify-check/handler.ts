/**
 * verifyCheck: one round of a verification execution, after each Wait: launch what fits the
 * caps (isolated, tagged on create, terminating on shutdown), judge what runs (running + both
 * status checks ok, SSM Online when asked), terminate and record what passed or failed.
 */
import { type DeployedPolicies, deployedPolicy } from '../../shared/backup-service/deployed-policies.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import {
  type VerificationProgress,
  type VerificationRoundDeps,
  verificationProgressSchema,
  verificationRound,
} from '../../shared/backup-service/verify-rounds.ts';
import { verificationDeps, verificationEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'verify-check';

export function makeHandler(deps: VerificationRoundDeps & { policies: DeployedPolicies }) {
  return async (event: unknown): Promise<VerificationProgress> => {
    const progress = parseTaskInput(STEP, verificationProgressSchema, event);
    return verificationRound(deps, deployedPolicy(STEP, deps.policies, progress.policy), progress);
  };
}

export const handler = lambdaHandler({
  name: STEP,
  env: verificationEnv,
  deps: verificationDeps,
  handler: makeHandler,
});
