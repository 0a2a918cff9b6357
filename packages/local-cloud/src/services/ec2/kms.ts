import type { Ec2Store } from './store.ts';

/** The AWS-managed EBS key exists in every region of every account. */
export const DEFAULT_EBS_KEY_ALIAS = 'alias/aws/ebs';

export const defaultEbsKeyArn = (region: string, accountId: string): string =>
  `arn:aws:kms:${region}:${accountId}:alias/aws/ebs`;

export interface KmsKeySeed {
  region: string;
  keyId: string;
  aliases?: string[] | undefined;
}

/** Registers every identifier AWS accepts for a key: id, key ARN, alias name, alias ARN. */
export const addKmsKey = (store: Ec2Store, accountId: string, key: KmsKeySeed): void => {
  let known = store.kmsKeys.get(key.region);
  if (!known) {
    known = new Set();
    store.kmsKeys.set(key.region, known);
  }
  const keyId = key.keyId.startsWith('arn:') ? (key.keyId.split('/').pop() ?? key.keyId) : key.keyId;
  known.add(keyId);
  known.add(`arn:aws:kms:${key.region}:${accountId}:key/${keyId}`);
  for (const alias of key.aliases ?? []) {
    const name = alias.startsWith('alias/') ? alias : `alias/${alias}`;
    known.add(name);
    known.add(`arn:aws:kms:${key.region}:${accountId}:${name}`);
  }
};

/** Whether `keyId` names a usable key in `region`. AWS only finds out asynchronously. */
export const isKnownKmsKey = (store: Ec2Store, accountId: string, region: string, keyId: string): boolean =>
  keyId === DEFAULT_EBS_KEY_ALIAS ||
  keyId === defaultEbsKeyArn(region, accountId) ||
  (store.kmsKeys.get(region)?.has(keyId) ?? false);
