import { createHash } from 'node:crypto';
import type { LocalCloud } from '../../cloud.ts';

/**
 * KMS keys per region: the AWS managed EBS key (`alias/aws/ebs`, KeyManager `AWS`) that every
 * region of every account has, and the customer managed keys a seed or a test creates.
 * KMS API Reference, KeyMetadata: `KeyManager` is `AWS` or `CUSTOMER`; DescribeKey takes a key
 * id, key ARN, alias name or alias ARN.
 */
type KeyManager = 'AWS' | 'CUSTOMER';

export interface KmsKey {
  keyId: string;
  arn: string;
  region: string;
  keyManager: KeyManager;
  /** `alias/<name>` */
  aliases: string[];
  description: string;
  creationDate: number;
}

const AWS_EBS_ALIAS = 'alias/aws/ebs';

interface KmsStore {
  /** region → key id → key */
  regions: Map<string, Map<string, KmsKey>>;
}

const kmsStore = (cloud: LocalCloud): KmsStore => cloud.store('kms', () => ({ regions: new Map() }));

const regionKeys = (cloud: LocalCloud, region: string): Map<string, KmsKey> => {
  const store = kmsStore(cloud);
  let keys = store.regions.get(region);
  if (!keys) {
    keys = new Map();
    store.regions.set(region, keys);
  }
  return keys;
};

const keyArn = (cloud: LocalCloud, region: string, keyId: string) =>
  `arn:aws:kms:${region}:${cloud.accountId}:key/${keyId}`;
const aliasArn = (cloud: LocalCloud, region: string, alias: string) =>
  `arn:aws:kms:${region}:${cloud.accountId}:${alias}`;

/** A stable key id per account and region, so the same seed always yields the same ARN. */
const derivedKeyId = (seed: string): string => {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/**
 * The region's aws/ebs key. AWS creates it on first use in a region (KMS API Reference,
 * DescribeKey: describing a predefined AWS alias with no key creates the AWS managed key).
 */
export const awsManagedEbsKey = (cloud: LocalCloud, region: string): KmsKey => {
  const keys = regionKeys(cloud, region);
  const keyId = derivedKeyId(`${cloud.accountId}:${region}:${AWS_EBS_ALIAS}`);
  let key = keys.get(keyId);
  if (!key) {
    key = {
      keyId,
      arn: keyArn(cloud, region, keyId),
      region,
      keyManager: 'AWS',
      aliases: [AWS_EBS_ALIAS],
      description: 'Default key that protects my EBS volumes when no other key is defined',
      creationDate: cloud.clock.now(),
    };
    keys.set(keyId, key);
  }
  return key;
};

export interface CustomerKeySeed {
  region: string;
  /** A key id or key ARN. */
  keyId: string;
  /** Alias names, with or without `alias/`. */
  aliases?: string[] | undefined;
  description?: string | undefined;
}

export const addCustomerKey = (cloud: LocalCloud, seed: CustomerKeySeed): KmsKey => {
  const keyId = seed.keyId.startsWith('arn:') ? (seed.keyId.split('/').pop() ?? seed.keyId) : seed.keyId;
  const keys = regionKeys(cloud, seed.region);
  const aliases = (seed.aliases ?? []).map((a) => (a.startsWith('alias/') ? a : `alias/${a}`));
  const existing = keys.get(keyId);
  const key: KmsKey = {
    keyId,
    arn: keyArn(cloud, seed.region, keyId),
    region: seed.region,
    keyManager: 'CUSTOMER',
    aliases: [...new Set([...(existing?.aliases ?? []), ...aliases])],
    description: seed.description ?? existing?.description ?? '',
    creationDate: existing?.creationDate ?? cloud.clock.now(),
  };
  keys.set(keyId, key);
  return key;
};

/**
 * The key an identifier names in `region` (key id, key ARN, alias name, alias ARN), or
 * undefined. The aws/ebs alias always resolves (its key is created on first use).
 */
export const findKey = (cloud: LocalCloud, region: string, identifier: string): KmsKey | undefined => {
  awsManagedEbsKey(cloud, region);
  for (const key of regionKeys(cloud, region).values()) {
    if (key.keyId === identifier || key.arn === identifier) return key;
    if (key.aliases.some((a) => a === identifier || aliasArn(cloud, region, a) === identifier)) return key;
  }
  return undefined;
};

export const allKeys = (cloud: LocalCloud): KmsKey[] =>
  [...kmsStore(cloud).regions.values()].flatMap((keys) => [...keys.values()]);
