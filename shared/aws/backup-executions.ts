/**
 * Starting backup executions (Step Functions adapter, StartExecution only). The execution
 * name is the idempotency key: `ExecutionAlreadyExists` means the run was already started
 * (a duplicate schedule trigger), which is success for the caller.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

type StartResult = { kind: 'started'; executionArn: string } | { kind: 'already-exists' };

export interface ExecutionStarter {
  start(input: { stateMachineArn: string; name: string; input: unknown }): Promise<StartResult>;
}

/** The state machine could not be started (access, missing machine, bad input). */
class BackupStartFailed extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupStartFailed';
  }
}

/**
 * @example
 * const starter = createExecutionStarter();
 * await starter.start({ stateMachineArn, name: 'nightly-2026-11-20', input: { policy, runId: 'nightly-2026-11-20' } });
 */
export function createExecutionStarter(client: SFNClient = new SFNClient({})): ExecutionStarter {
  return {
    async start({ stateMachineArn, name, input }) {
      try {
        const out = await client.send(
          new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
        );
        return { kind: 'started', executionArn: out.executionArn ?? '' };
      } catch (error) {
        if (
          error instanceof ExecutionAlreadyExists ||
          (error instanceof Error && error.name === 'ExecutionAlreadyExists')
        ) {
          return { kind: 'already-exists' };
        }
        throw new BackupStartFailed(
          `StartExecution ${name}: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}
