import type { LocalCloud } from '../../cloud.ts';
import { addCustomerKey, awsManagedEbsKey, type CustomerKeySeed, findKey } from '../kms/store.ts';

/** The key ARN of the region's aws/ebs key (every region of every account has one), as EC2 reports it. */
const defaultEbsKeyArn = (cloud: LocalCloud, region: string): string => awsManagedEbsKey(cloud, region).arn;

export type KmsKeySeed = CustomerKeySeed;

/** A customer managed key the EC2 seed names (`ec2.kmsKeys`), kept by the local KMS. */
export const addKmsKey = (cloud: LocalCloud, key: KmsKeySeed): void => {
  addCustomerKey(cloud, key);
};

/** Whether `keyId` names a usable key in `region`. AWS only finds out asynchronously. */
export const isKnownKmsKey = (cloud: LocalCloud, region: string, keyId: string): boolean =>
  findKey(cloud, region, keyId) !== undefined;

/**
 * The KmsKeyId EC2 reports for an encrypted volume or snapshot: always the key ARN, whichever
 * identifier the request used (EC2 API Reference, Snapshot.KmsKeyId / Volume.KmsKeyId: "The
 * Amazon Resource Name (ARN) of the KMS key"); the region's aws/ebs key when none was named.
 * An unknown identifier is kept as given (the resource then fails, as in AWS).
 */
export const reportedKeyId = (cloud: LocalCloud, region: string, keyId: string | undefined): string =>
  keyId === undefined ? defaultEbsKeyArn(cloud, region) : (findKey(cloud, region, keyId)?.arn ?? keyId);

/** Whether the key is AWS managed (aws/ebs): what account shares of an AMI are refused for. */
export const isAwsManagedKey = (cloud: LocalCloud, region: string, keyId: string): boolean =>
  findKey(cloud, region, keyId)?.keyManager === 'AWS';
