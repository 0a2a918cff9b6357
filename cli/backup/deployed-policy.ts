/**
 * `backup run` starts the DEPLOYED policy: the execution input carries only its name. The
 * config file the operator passes must hold that same policy; if it drifted (an edit not
 * deployed yet, another stage's file), the run is refused and the differences are shown, so
 * nobody starts a run believing it obeys a policy it does not.
 */
import type { DeployedPolicyReader } from '../../shared/aws/ssm-policies.ts';
import { policyDifferences, policyVersion } from '../../shared/backup-service/policy-version.ts';
import { type BackupPolicy, backupPolicySchema } from '../../shared/config/policies.ts';
import { UserError } from '../errors.ts';
import type { Output } from '../output.ts';

/** Shows a value the way the config spells it (absent fields as such). */
const shown = (value: string | undefined) => value ?? '(not set)';

/**
 * @throws UserError when the stage has no such policy deployed, or when the config's policy
 * differs from it (each differing field written to stderr first).
 */
export async function requireDeployedPolicy(
  reader: DeployedPolicyReader,
  stage: string,
  configured: BackupPolicy,
  configFile: string,
  output: Output,
): Promise<void> {
  const raw = await reader.read(stage, configured.name);
  if (raw === undefined)
    throw new UserError(
      `--policy: no backup policy "${configured.name}" is deployed in stage ${stage}: deploy it first (or pass --stage)`,
    );
  const parsed = backupPolicySchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(
      `the deployed policy "${configured.name}" of stage ${stage} cannot be read: redeploy it`,
    );
  const deployed = parsed.data;
  if (policyVersion(deployed) === policyVersion(configured)) return;
  const differences = policyDifferences(deployed, configured);
  output.progress(
    `policy ${configured.name}: ${configFile} differs from the deployed policy (stage ${stage}):`,
  );
  for (const d of differences)
    output.progress(`  ${d.path}: deployed ${shown(d.from)}, ${configFile} ${shown(d.to)}`);
  throw new UserError(
    `--config: policy "${configured.name}" differs from the deployed one in ${differences.length} field${differences.length === 1 ? '' : 's'} (listed above); a run obeys the deployed policy: deploy ${configFile} first, or run with the deployed config`,
  );
}
