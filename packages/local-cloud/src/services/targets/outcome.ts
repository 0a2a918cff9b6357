/** What delivering a payload to a target ARN started (EventBridge targets, S3 notification destinations). */
export interface TargetOutcome {
  target: string;
  ok: boolean;
  /** Message id, request id or execution ARN of what was started. */
  started?: string;
  error?: string;
}
