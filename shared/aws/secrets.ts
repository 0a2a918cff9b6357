import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type ClientOptions, regionalClientConfig } from './clients.ts';
import { SecretUnavailableError, sdkErrorCode } from './errors.ts';

/** Where a webhook secret lives (the config's `repo.webhookSecret`). */
export type SecretRef = { ssmParameter: string } | { secretsManagerSecret: string };

export interface SecretsPort {
  /** The secret's value; cached for `maxAgeSeconds` per container (Powertools Parameters cache). */
  get(ref: SecretRef): Promise<string>;
}

export interface SecretsAdapterOptions extends ClientOptions {
  ssmClient?: SSMClient;
  secretsManagerClient?: SecretsManagerClient;
  /**
   * Cache lifetime. Long enough that a warm container verifies webhooks without an API call,
   * short enough that a rotated secret is picked up without a redeploy.
   */
  maxAgeSeconds?: number;
}

export const secretRefName = (ref: SecretRef): string =>
  'ssmParameter' in ref ? `ssm:${ref.ssmParameter}` : `secretsmanager:${ref.secretsManagerSecret}`;

export const createSecretsAdapter = (options: SecretsAdapterOptions = {}): SecretsPort => {
  const { ssmClient, secretsManagerClient, maxAgeSeconds = 300, ...config } = options;
  // Built lazily: most functions never read a secret.
  let ssm: SSMProvider | undefined;
  let secrets: SecretsProvider | undefined;
  const ssmProvider = () =>
    (ssm ??= new SSMProvider({ awsSdkV3Client: ssmClient ?? new SSMClient(regionalClientConfig(config)) }));
  const secretsProvider = () =>
    (secrets ??= new SecretsProvider({
      awsSdkV3Client: secretsManagerClient ?? new SecretsManagerClient(regionalClientConfig(config)),
    }));

  return {
    async get(ref) {
      const name = secretRefName(ref);
      let value: unknown;
      try {
        value =
          'ssmParameter' in ref
            ? await ssmProvider().get(ref.ssmParameter, { decrypt: true, maxAge: maxAgeSeconds })
            : await secretsProvider().get(ref.secretsManagerSecret, { maxAge: maxAgeSeconds });
      } catch (error) {
        const code =
          sdkErrorCode((error as { cause?: unknown }).cause) ?? sdkErrorCode(error) ?? (error as Error).name;
        throw new SecretUnavailableError(name, code, { cause: error });
      }
      if (typeof value !== 'string' || value === '')
        throw new SecretUnavailableError(name, 'empty or binary value');
      return value;
    },
  };
};
