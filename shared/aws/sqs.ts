import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { QueuePort } from '../invalidation-service/ports/queue.ts';
import { type ClientOptions, regionalClientConfig } from './clients.ts';
import { toAwsCallError } from './errors.ts';

/** SQS caps DelaySeconds at 15 minutes. */
const MAX_DELAY_SECONDS = 900;

export interface QueueAdapterOptions extends ClientOptions {
  client?: SQSClient;
  queueUrl: string;
}

export const createQueueAdapter = (options: QueueAdapterOptions): QueuePort => {
  const { client: injected, queueUrl, ...config } = options;
  const client = injected ?? new SQSClient(regionalClientConfig(config));
  return {
    async send(body, delaySeconds = 0) {
      const delay = Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.round(delaySeconds)));
      try {
        const out = await client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(body),
            DelaySeconds: delay,
          }),
        );
        return { messageId: out.MessageId ?? '' };
      } catch (error) {
        throw toAwsCallError('sqs', 'SendMessage', error);
      }
    },
  };
};
