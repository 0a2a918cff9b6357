/**
 * The deployed backup policies as the stack publishes them for operators: one read-only SSM
 * String parameter per policy, `/shipyard/<stage>/backup-policies/<name>`, holding
 * `{"policy": …}` as in the packaged config (serverless/backup-resources.cjs). The functions
 * never read it: their authority is the config packaged with them.
 */
import { GetParameterCommand, SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

export const policyParameterName = (stage: string, policy: string): string =>
  `/shipyard/${stage}/backup-policies/${policy}`;

export interface DeployedPolicyReader {
  /** The deployed policy document (unvalidated), `undefined` when the stage has no such policy. */
  read(stage: string, policy: string): Promise<unknown | undefined>;
}

export function createDeployedPolicyReader(
  config: SSMClientConfig = {},
  client = new SSMClient(config),
): DeployedPolicyReader {
  return {
    async read(stage, policy) {
      const name = policyParameterName(stage, policy);
      let value: string | undefined;
      try {
        value = (await client.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
      } catch (error) {
        if (sdkErrorCode(error) === 'ParameterNotFound') return undefined;
        throw toAwsCallError('SSM', 'GetParameter', error);
      }
      try {
        return (JSON.parse(value ?? '') as { policy?: unknown }).policy;
      } catch (error) {
        throw toAwsCallError('SSM', 'GetParameter', new Error(`${name} is not JSON`, { cause: error }));
      }
    },
  };
}
