import { AwsError } from '../../aws-error.ts';

/** SendMessageBatch payload ceiling, equal to the message size ceiling [unconfirmed after the 2025 raise]. */
export const MAX_BATCH_BYTES = 1_048_576;
const MAX_ENTRIES = 10;
const ENTRY_ID = /^[\w-]{1,80}$/;

export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/** The request-level batch rules every *Batch action shares. */
export const batchEntries = (entries: { Id: string }[]): void => {
  if (entries.length === 0) {
    throw new AwsError(
      'EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
    );
  }
  if (entries.length > MAX_ENTRIES) {
    throw new AwsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const { Id } of entries) {
    if (!ENTRY_ID.test(Id)) {
      throw new AwsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(Id)) throw new AwsError('BatchEntryIdsNotDistinct', `Id ${Id} repeated.`);
    seen.add(Id);
  }
};
