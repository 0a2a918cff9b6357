/**
 * The KMS adapter of the backup workflow — the only module that imports the KMS SDK. It answers
 * one question, DescribeKey's KeyManager, for ShareImage's aws/ebs check.
 */
import { DescribeKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { ImageShareFailed } from '../backup/errors.ts';
import type { KeyManagerFactory, KeyManagerPort } from '../backup-service/key-manager.ts';
import { ec2ErrorCode, toBackupError } from './ec2-errors.ts';

/**
 * A key we may not describe (ShareImage is granted DescribeKey on the configured keys and
 * aws/ebs only) or that does not exist is unknown, not a failure: the share is then tried and
 * AWS's own answer reports it. Throttling and 5xx stay errors, for the state machine's Retry.
 */
const UNKNOWN_KEY = new Set(['AccessDeniedException', 'NotFoundException', 'KMSInvalidStateException']);

export interface KmsAdapterOptions {
  clientFor?: (region: string) => KMSClient;
  clientConfig?: Omit<KMSClientConfig, 'region'>;
}

const createKeyManagerPort = (client: KMSClient, region: string): KeyManagerPort => ({
  async describeKey(keyId) {
    try {
      const out = await client.send(new DescribeKeyCommand({ KeyId: keyId }));
      const metadata = out.KeyMetadata;
      if (metadata?.Arn === undefined) return undefined;
      return { arn: metadata.Arn, awsManaged: metadata.KeyManager === 'AWS' };
    } catch (error) {
      if (UNKNOWN_KEY.has(ec2ErrorCode(error) ?? '')) return undefined;
      throw toBackupError(error, `DescribeKey (${region})`, ImageShareFailed);
    }
  },
});

/**
 * @example
 * const kms = createKeyManagerFactory({ clientConfig: { maxAttempts: 4 } });
 * await kms('eu-west-1').describeKey('arn:aws:kms:eu-west-1:111122223333:key/…'); // { arn, awsManaged: true }
 */
export function createKeyManagerFactory(options: KmsAdapterOptions = {}): KeyManagerFactory {
  const ports = new Map<string, KeyManagerPort>();
  const clientFor =
    options.clientFor ?? ((region: string) => new KMSClient({ ...options.clientConfig, region }));
  return (region) => {
    let port = ports.get(region);
    if (port === undefined) {
      port = createKeyManagerPort(clientFor(region), region);
      ports.set(region, port);
    }
    return port;
  };
}
