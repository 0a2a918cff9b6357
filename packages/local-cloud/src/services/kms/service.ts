import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import { awsJsonService, jsonAction } from '../../protocol/aws-json.ts';
import { isRegionName } from '../ec2/regions.ts';
import { addCustomerKey, allKeys, findKey, type KmsKey } from './store.ts';

/**
 * A minimal KMS (awsJson1_1, `TrentService.*`): DescribeKey, which is what tells the AWS
 * managed aws/ebs key (KeyManager `AWS`) from a customer managed key when DescribeSnapshots
 * names both by key ARN. Keys are seeded (`kms: { keys: [...] }`, or `ec2.kmsKeys`).
 */

const keyRegion = z.string().refine(isRegionName, { message: 'not a region name (like eu-west-1)' });

const KmsSeedSchema = z
  .object({
    keys: z
      .array(
        z
          .object({
            region: keyRegion,
            keyId: z.string().min(1),
            aliases: z.array(z.string().min(1)).optional(),
            description: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** KMS API Reference, KeyMetadata (symmetric encryption keys only). */
const metadata = (key: KmsKey, accountId: string) => ({
  AWSAccountId: accountId,
  KeyId: key.keyId,
  Arn: key.arn,
  CreationDate: key.creationDate / 1000,
  Enabled: true,
  Description: key.description,
  KeyUsage: 'ENCRYPT_DECRYPT',
  KeyState: 'Enabled',
  Origin: 'AWS_KMS',
  KeyManager: key.keyManager,
  CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
  KeySpec: 'SYMMETRIC_DEFAULT',
  EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
  MultiRegion: false,
});

/** The message AWS words NotFoundException with is not documented [unconfirmed]. */
const notFound = (keyId: string) =>
  new AwsError(
    'NotFoundException',
    keyId.includes('alias/') ? `Alias ${keyId} is not found.` : `Key '${keyId}' does not exist`,
  );

export const kmsService = awsJsonService({
  name: 'kms',
  targetPrefix: 'TrentService',
  actions: {
    DescribeKey: jsonAction({
      input: z.object({
        KeyId: z.string().min(1).max(2048),
        GrantTokens: z.array(z.string()).optional(),
      }),
      run: ({ cloud, region, input }) => {
        const key = findKey(cloud, region, input.KeyId);
        if (!key) throw notFound(input.KeyId);
        return { KeyMetadata: metadata(key, cloud.accountId) };
      },
    }),
  },
  seed(cloud, input) {
    const seed = KmsSeedSchema.parse(input);
    return { keys: seed.keys.map((k) => addCustomerKey(cloud, k).arn) };
  },
  dump: (cloud) => ({ keys: allKeys(cloud) }),
});
