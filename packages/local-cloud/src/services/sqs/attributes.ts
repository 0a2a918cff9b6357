import { AwsError } from '../../aws-error.ts';

/**
 * Settable queue attributes, their ranges and defaults (SQS API reference, CreateQueue).
 * MaximumMessageSize: AWS raised the ceiling and default to 1 MiB in 2025 [unconfirmed
 * for every region]; a named constant so it is easy to change.
 */
const MAX_MESSAGE_BYTES = 1_048_576;

interface NumericAttribute {
  min: number;
  max: number;
  default: number;
}

export const NUMERIC_ATTRIBUTES: Record<string, NumericAttribute> = {
  DelaySeconds: { min: 0, max: 900, default: 0 },
  MaximumMessageSize: { min: 1024, max: MAX_MESSAGE_BYTES, default: MAX_MESSAGE_BYTES },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, default: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, default: 0 },
  VisibilityTimeout: { min: 0, max: 43_200, default: 30 },
};

/** Accepted and stored as given; the local cloud does not act on them. */
const OPAQUE_ATTRIBUTES = new Set([
  'Policy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
]);

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export const parseRedrivePolicy = (value: string): RedrivePolicy => {
  const invalid = () =>
    new AwsError('InvalidAttributeValue', `Invalid value for the parameter RedrivePolicy. Reason: ${value}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { deadLetterTargetArn, maxReceiveCount } = parsed as Record<string, unknown>;
  const count = Number(maxReceiveCount);
  if (typeof deadLetterTargetArn !== 'string' || !/^arn:aws:sqs:/.test(deadLetterTargetArn)) throw invalid();
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw invalid();
  return { deadLetterTargetArn, maxReceiveCount: count };
};

/** Validates settable attributes and returns them normalised (numbers as decimal strings). */
export const validateAttributes = (attributes: Record<string, string>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const numeric = NUMERIC_ATTRIBUTES[name];
    if (numeric) {
      const n = Number(value);
      if (value.trim() === '' || !Number.isInteger(n) || n < numeric.min || n > numeric.max) {
        throw new AwsError(
          'InvalidAttributeValue',
          `Invalid value for the parameter ${name}. Reason: must be an integer from ${numeric.min} to ${numeric.max}.`,
        );
      }
      out[name] = String(n);
    } else if (name === 'RedrivePolicy') {
      parseRedrivePolicy(value);
      out[name] = value;
    } else if (name === 'FifoQueue' || name === 'ContentBasedDeduplication') {
      throw new AwsError(
        'UnsupportedOperation',
        'The local cloud implements standard queues only, not FIFO.',
      );
    } else if (OPAQUE_ATTRIBUTES.has(name)) {
      out[name] = value;
    } else {
      throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  return out;
};

export const numericAttribute = (attributes: Record<string, string>, name: string): number =>
  Number(attributes[name] ?? NUMERIC_ATTRIBUTES[name]?.default ?? 0);
