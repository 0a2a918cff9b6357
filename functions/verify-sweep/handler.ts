/**
 * verifySweep: on its schedule, terminates every verification instance past its deadline in
 * every region a deployed policy verifies in, whatever happened to the execution that
 * launched it (a crash, a timeout, a stopped execution) — only launches Shipyard recorded.
 */

import type { DeployedPolicies } from '../../shared/backup-service/deployed-policies.ts';
import type { BackupLogger } from '../../shared/backup-service/deps.ts';
import type { VerificationRoundDeps } from '../../shared/backup-service/verify-rounds.ts';
import { sweepVerifications } from '../../shared/backup-service/verify-sweep.ts';
import { verificationDeps, verificationEnv } from '../../shared/lambda/backup-deps.ts';
import { lambdaHandler } from '../../shared/lambda/handler.ts';

export function makeHandler(
  deps: Pick<VerificationRoundDeps, 'sweep'> & { policies: DeployedPolicies; logger: BackupLogger },
) {
  return async () => {
    const regions = [
      ...new Set(
        deps.policies
          .names()
          .flatMap((name) => deps.policies.find(name)?.verify?.regions.map((r) => r.region) ?? []),
      ),
    ].sort();
    const swept = await sweepVerifications(deps.sweep, regions);
    deps.logger.info('verification sweep', { swept });
    return { regions, swept };
  };
}

export const handler = lambdaHandler({
  name: 'verify-sweep',
  env: verificationEnv,
  deps: (env, { logger }) => ({ ...verificationDeps(env), logger }),
  handler: makeHandler,
});
