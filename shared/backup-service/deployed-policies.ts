/**
 * The deployed backup policies: the authority every step obeys. They come from the config
 * file packaged with the functions (SHIPYARD_CONFIG_FILE), never from an execution input:
 * the input only names a policy, and a step handed a `run.policy` that is not the deployed
 * one of that name refuses it.
 */
import { InvalidBackupInput, RunPolicyMismatch } from '../backup/errors.ts';
import type { BackupPolicy } from '../config/policies.ts';
import { policyVersion } from './policy-version.ts';
import type { Run } from './state.ts';

export interface DeployedPolicies {
  /** The deployed policy of that name, `undefined` when there is none. */
  find(name: string): BackupPolicy | undefined;
  names(): string[];
}

/** Deployed policies over a parsed list (the packaged config's, or a test's). */
export function deployedPoliciesOf(policies: readonly BackupPolicy[]): DeployedPolicies {
  const byName = new Map(policies.map((p) => [p.name, p]));
  return { find: (name) => byName.get(name), names: () => [...byName.keys()] };
}

/**
 * The deployed policy the input names.
 *
 * @throws InvalidBackupInput naming the policy when none of that name is deployed.
 */
export function deployedPolicy(step: string, policies: DeployedPolicies, name: string): BackupPolicy {
  const policy = policies.find(name);
  if (policy !== undefined) return policy;
  const known = policies.names();
  throw new InvalidBackupInput(
    `${step}: invalid input: policy: no deployed backup policy "${name}" (${known.length > 0 ? `deployed: ${known.join(', ')}` : 'none is deployed'})`,
  );
}

/**
 * Versions of deployed policies, computed once per policy object: the deployed policies are
 * loaded once per process and never change, while every step of every target checks its run
 * against them (a policy listing a thousand volumes costs a millisecond to hash). The policy a
 * run carries is parsed from each input anew and hashed every time.
 */
const deployedVersions = new WeakMap<BackupPolicy, string>();

const deployedVersion = (policy: BackupPolicy): string => {
  let version = deployedVersions.get(policy);
  if (version === undefined) {
    version = policyVersion(policy);
    deployedVersions.set(policy, version);
  }
  return version;
};

/**
 * Refuses a run whose policy is not the deployed one (a tampered or stale `run.policy`, or
 * a `policyVersion` that does not match it).
 *
 * @throws RunPolicyMismatch naming the policy and both versions.
 * @throws InvalidBackupInput when no policy of that name is deployed.
 */
export function checkRunPolicy(step: string, run: Run, policies: DeployedPolicies): void {
  const deployed = deployedVersion(deployedPolicy(step, policies, run.policy.name));
  const carried = policyVersion(run.policy);
  if (carried === deployed && run.policyVersion === deployed) return;
  throw new RunPolicyMismatch(
    `${step}: run.policy "${run.policy.name}" is not the deployed policy (deployed ${deployed}, run carries ${carried}, recorded ${run.policyVersion}): refusing to act on it`,
  );
}
