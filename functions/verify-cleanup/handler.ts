/**
 * verifyCleanup: where every Catch of a verification execution goes. Terminates the
 * instances the execution had launched — those Shipyard's store recorded, an intent recorded
 * before RunInstances included (found by its ClientToken) — and hands the
 * error on, so the execution fails with it and nothing it launched keeps running.
 */
import * as z from 'zod';
import { parseTaskInput } from '../../shared/backup-service/task-input.ts';
import {
  abandonVerification,
  type VerificationRoundDeps,
  verificationProgressSchema,
} from '../../shared/backup-service/verify-rounds.ts';
import { verificationDeps, verificationEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

const STEP = 'verify-cleanup';

const inputSchema = z
  .object({
    /** The state before the failed step (a Catch with ResultPath $.error keeps it). */
    active: verificationProgressSchema.shape.active.default([]),
    /** Its queue and id: the intents of this verification whose instance was never recorded. */
    queue: verificationProgressSchema.shape.queue.default([]),
    verificationId: verificationProgressSchema.shape.verificationId.optional(),
    error: z.object({ Error: z.string(), Cause: z.string().optional() }).loose(),
  })
  .loose();

export function makeHandler(deps: Pick<VerificationRoundDeps, 'ec2' | 'store'>) {
  return async (event: unknown) => {
    const input = parseTaskInput(STEP, inputSchema, event);
    const terminated = await abandonVerification(deps, input);
    return { terminated, error: input.error.Error, cause: input.error.Cause ?? '' };
  };
}

export const handler = lambdaHandler({
  name: STEP,
  env: verificationEnv,
  deps: verificationDeps,
  handler: makeHandler,
});
