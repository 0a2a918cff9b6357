/**
 * What the backup workflow asks of KMS: whether a snapshot's key is the AWS managed aws/ebs key.
 * DescribeSnapshots names every key by its key ARN, so the alias alone cannot tell
 * (KMS API Reference, DescribeKey: KeyMetadata.KeyManager is `AWS` for AWS managed keys).
 * The SDK lives behind it in `shared/aws/kms.ts`.
 */
interface KeyDescription {
  arn: string;
  /** KeyManager `AWS`: an AWS managed key (aws/ebs for EBS). */
  awsManaged: boolean;
}

export interface KeyManagerPort {
  /** The key, or undefined when KMS does not let us see it (not found, or not granted). */
  describeKey(keyId: string): Promise<KeyDescription | undefined>;
}

/** One port per region (a key ARN names its region). */
export type KeyManagerFactory = (region: string) => KeyManagerPort;
