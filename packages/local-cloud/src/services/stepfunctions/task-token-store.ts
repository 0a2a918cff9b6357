/** What SendTaskSuccess / SendTaskFailure deliver to the Task waiting on a token. */
export type TokenOutcome =
  | { kind: 'success'; output: unknown }
  | { kind: 'failure'; error: string; cause: string };

/** A task token handed out by a `.waitForTaskToken` Task. */
export interface TaskTokenRecord {
  executionArn: string;
  /** False once the Task ended (answered, timed out, or its execution stopped). */
  open: boolean;
  settle: (outcome: TokenOutcome) => void;
  heartbeat: () => void;
}
