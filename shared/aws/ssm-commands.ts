/**
 * SSM Run Command (the ProbeCommands port): SendCommand `AWS-RunShellScript` to one instance
 * and GetCommandInvocation. Two answers are states, not errors: SendCommand's
 * InvalidInstanceId (the instance is not a registered managed node yet) and
 * GetCommandInvocation's InvocationDoesNotExist (the invocation is not visible yet: the Run
 * Command API is eventually consistent, and the SDK's own CommandExecuted waiter retries on it).
 */
import {
  GetCommandInvocationCommand,
  SendCommandCommand,
  SSMClient,
  type SSMClientConfig,
} from '@aws-sdk/client-ssm';
import type { ProbeCommands } from '../backup-service/ports/verification.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

/** The AWS-owned document the probe runs (IAM limits ssm:SendCommand to it). */
const RUN_SHELL_SCRIPT_DOCUMENT = 'AWS-RunShellScript';

export function createProbeCommands(
  options: { config?: Omit<SSMClientConfig, 'region'> } = {},
): ProbeCommands {
  const byRegion = new Map<string, SSMClient>();
  const clientFor = (region: string) => {
    let client = byRegion.get(region);
    if (client === undefined) {
      client = new SSMClient({ ...options.config, region });
      byRegion.set(region, client);
    }
    return client;
  };
  return {
    async send(region, instanceId, run) {
      try {
        const out = await clientFor(region).send(
          new SendCommandCommand({
            DocumentName: RUN_SHELL_SCRIPT_DOCUMENT,
            InstanceIds: [instanceId],
            Parameters: { commands: [...run.commands] },
            TimeoutSeconds: run.timeoutSeconds,
            Comment: run.comment,
          }),
        );
        return out.Command?.CommandId;
      } catch (error) {
        if (sdkErrorCode(error) === 'InvalidInstanceId') return undefined;
        throw toAwsCallError('SSM', 'SendCommand', error);
      }
    },
    async invocation(region, commandId, instanceId) {
      try {
        const out = await clientFor(region).send(
          new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
        );
        return {
          status: out.Status ?? 'Pending',
          responseCode: out.ResponseCode ?? -1,
          stdout: out.StandardOutputContent ?? '',
          stderr: out.StandardErrorContent ?? '',
        };
      } catch (error) {
        if (sdkErrorCode(error) === 'InvocationDoesNotExist') return undefined;
        throw toAwsCallError('SSM', 'GetCommandInvocation', error);
      }
    },
  };
}
