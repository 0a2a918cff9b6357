/** Where deferred invalidation batches wait (shared/aws/sqs.ts implements it over SQS). */
export interface QueuePort {
  /** Sends one JSON message, delayed by `delaySeconds` (clamped to 0–900). */
  send(body: unknown, delaySeconds?: number): Promise<{ messageId: string }>;
}
