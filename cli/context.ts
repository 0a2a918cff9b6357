import { readFileSync } from 'node:fs';
import { ConfigError } from '../shared/config/errors.ts';
import { parseConfig } from '../shared/config/load.ts';
import type { ShipyardConfig } from '../shared/config/schema.ts';
import { EXIT, UserError } from './errors.ts';

export const DEFAULT_LOCAL_ENDPOINT = 'http://127.0.0.1:4566';
export const DEFAULT_CONFIG_FILE = 'config/shipyard.dev.yml';

/** Options every command accepts. */
export interface GlobalOptions {
  region?: string;
  profile?: string;
  local?: boolean;
  endpoint?: string;
  config?: string;
  json?: boolean;
}

/** SDK client settings: AWS (default credential chain) or the local cloud. */
export interface ClientSettings {
  region: string;
  endpoint?: string;
  profile?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle?: boolean;
}

export const clientSettings = (
  options: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): ClientSettings => {
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const endpoint =
    options.endpoint ?? (options.local ? (env.SHIPYARD_LOCAL_ENDPOINT ?? DEFAULT_LOCAL_ENDPOINT) : undefined);
  if (endpoint) {
    // The local cloud accepts any credentials; don't make users configure a profile for it.
    return {
      region,
      endpoint,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
      },
      forcePathStyle: true,
    };
  }
  return { region, ...(options.profile ? { profile: options.profile } : {}) };
};

export const loadConfigFile = (path: string): ShipyardConfig => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      EXIT.usage,
      {
        cause: error,
      },
    );
  }
  try {
    return parseConfig(text, path);
  } catch (error) {
    if (error instanceof ConfigError) throw new UserError(error.message, EXIT.usage, { cause: error });
    throw error;
  }
};
