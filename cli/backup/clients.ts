/** SDK clients of the backup commands, built from the global options (AWS or the local cloud). */
import { createEc2PortFactory } from '../../shared/aws/ec2.ts';
import { type BackupExecutionsPort, createBackupExecutionsPort } from '../../shared/aws/sfn-executions.ts';
import { createDeployedPolicyReader, type DeployedPolicyReader } from '../../shared/aws/ssm-policies.ts';
import type { Ec2PortFactory } from '../../shared/backup-service/ports/ec2.ts';
import { clientSettings, type GlobalOptions } from '../context.ts';

/** An operator waits at a terminal: a few SDK attempts, then a clear error (exit 3 when unreachable). */
export const CLI_MAX_ATTEMPTS = 3;

export const executionsPort = (global: GlobalOptions, region?: string): BackupExecutionsPort => {
  const settings = clientSettings(global);
  return createBackupExecutionsPort({
    ...settings,
    region: region ?? settings.region,
    maxAttempts: CLI_MAX_ATTEMPTS,
  });
};

/** The stack's read-only copies of its policies (SSM, in the stack's region). */
export const deployedPoliciesPort = (global: GlobalOptions, region?: string): DeployedPolicyReader => {
  const settings = clientSettings(global);
  return createDeployedPolicyReader({
    ...settings,
    region: region ?? settings.region,
    maxAttempts: CLI_MAX_ATTEMPTS,
  });
};

export const ec2Ports = (global: GlobalOptions): Ec2PortFactory => {
  const { region: _region, ...settings } = clientSettings(global);
  return createEc2PortFactory({ clientConfig: { ...settings, maxAttempts: CLI_MAX_ATTEMPTS } });
};
