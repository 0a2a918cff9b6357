import { AwsError } from '../../aws-error.ts';

/**
 * SQS speaks awsJson1_0 with the awsQueryCompatible trait: the SDK reads the legacy query
 * error code from the `x-amzn-query-error` header and maps it back to the modelled error
 * (`AWS.SimpleQueueService.NonExistentQueue` → `QueueDoesNotExist`). Codes not listed here
 * (InvalidParameterValue, MissingParameter, injected Throttling…) use the same name on both.
 */
export const LEGACY_QUERY_CODES: Record<string, string> = {
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
  QueueDeletedRecently: 'AWS.SimpleQueueService.QueueDeletedRecently',
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};

export const queueDoesNotExist = (): AwsError =>
  new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');

export const invalidParameter = (message: string): AwsError => new AwsError('InvalidParameterValue', message);

export const missing = (name: string): AwsError =>
  new AwsError('MissingParameter', `The request must contain the parameter ${name}.`);

export const receiptHandleInvalid = (handle: string): AwsError =>
  new AwsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    404,
  );
