/**
 * verifyStart: the first step of a verification execution. Its input names a policy
 * (`shipyard verify`, the policy's `verify.schedule`) or is the `Step Functions Execution
 * Status Change` detail of a backup execution that ended (the "after a run" rule): then the
 * policy is the one that backup ran, and a dry run or a policy without `verify.afterRun`
 * verifies nothing. Sweeps overdue verification instances, refuses a bad subnet, security
 * group or selection before anything is launched, and returns what to launch.
 */
import * as z from 'zod';
import { type DeployedPolicies, deployedPolicy } from '../../shared/backup-service/deployed-policies.ts';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import {
  startVerification,
  type VerificationProgress,
  type VerificationRoundDeps,
} from '../../shared/backup-service/verify-rounds.ts';
import { policyNameSchema } from '../../shared/config/policies.ts';
import { verificationDeps, verificationEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'verify-start';

const requested = z
  .object({ policy: policyNameSchema, targets: z.array(z.string().min(1)).min(1).optional() })
  .strict();
/** The backup execution's own input, as the status-change event carries it (a JSON string). */
const backupInput = z.object({ policy: policyNameSchema, dryRun: z.boolean().optional() }).loose();
const afterRun = z
  .object({ status: z.string(), input: z.string(), executionArn: z.string().startsWith('arn:') })
  .loose();

const inputSchema = z
  .object({ request: z.union([requested, afterRun]), verificationId: z.string().min(1).max(80) })
  .strict();

const skipped = (policy: string, verificationId: string, reason: string): VerificationProgress => ({
  policy,
  verificationId,
  queue: [],
  active: [],
  results: [],
  done: true,
  pollSeconds: 1,
  skipped: reason,
});

export function makeHandler(deps: VerificationRoundDeps & { policies: DeployedPolicies }) {
  return async (event: unknown): Promise<VerificationProgress> => {
    const { request, verificationId } = parseTaskInput(STEP, inputSchema, event);
    if ('executionArn' in request) {
      const backup = parseTaskInput(STEP, backupInput, JSON.parse(request.input));
      const policy = deployedPolicy(STEP, deps.policies, backup.policy);
      if (backup.dryRun === true) return skipped(policy.name, verificationId, 'the backup run was a dry run');
      if (policy.verify?.afterRun !== true)
        return skipped(policy.name, verificationId, `policy ${policy.name} does not verify after a run`);
      return startVerification(deps, { policy, verificationId });
    }
    const policy = deployedPolicy(STEP, deps.policies, request.policy);
    return startVerification(deps, {
      policy,
      verificationId,
      ...(request.targets === undefined ? {} : { targets: request.targets }),
    });
  };
}

export const handler = lambdaHandler({
  name: STEP,
  env: verificationEnv,
  deps: verificationDeps,
  handler: makeHandler,
});
