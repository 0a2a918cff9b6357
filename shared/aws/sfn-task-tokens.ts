/**
 * The TaskCallbacks port over Step Functions: SendTaskSuccess / SendTaskFailure /
 * SendTaskHeartbeat. A token whose
 * Task no longer waits answers TaskTimedOut or TaskDoesNotExist (botocore stepfunctions
 * SendTaskSuccess errors; which one AWS uses for a Task that already ended is [unconfirmed]),
 * an unknown one InvalidToken: all three are `gone` — a duplicate event, not a failure.
 */
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  type SFNClientConfig,
} from '@aws-sdk/client-sfn';
import type { TaskCallbacks } from '../backup-service/ports/event-waits.ts';
import { sdkErrorCode, toAwsCallError } from './errors.ts';

const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
/** SendTaskFailure's limits (API reference): error ≤ 256 characters, cause ≤ 32,768. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

export interface SfnTaskCallbacksOptions {
  config?: SFNClientConfig;
  client?: SFNClient;
}

export function createSfnTaskCallbacks({ config = {}, client }: SfnTaskCallbacksOptions = {}): TaskCallbacks {
  const sfn = client ?? new SFNClient(config);
  const send = async (
    operation: string,
    command: SendTaskSuccessCommand | SendTaskFailureCommand | SendTaskHeartbeatCommand,
  ) => {
    try {
      await sfn.send(command as SendTaskSuccessCommand);
      return 'sent' as const;
    } catch (error) {
      if (GONE.has(sdkErrorCode(error) ?? '')) return 'gone' as const;
      throw toAwsCallError('Step Functions', operation, error);
    }
  };
  return {
    succeed: (token, output) =>
      send(
        'SendTaskSuccess',
        new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }),
      ),
    fail: (token, error, cause) =>
      send(
        'SendTaskFailure',
        new SendTaskFailureCommand({
          taskToken: token,
          error: error.slice(0, MAX_ERROR),
          cause: cause.slice(0, MAX_CAUSE),
        }),
      ),
    heartbeat: (token) => send('SendTaskHeartbeat', new SendTaskHeartbeatCommand({ taskToken: token })),
  };
}
