import { readFileSync } from 'node:fs';
import { ConfigError } from '../shared/config/errors.ts';
import { parseConfig } from '../shared/config/load.ts';
import { regionSchema } from '../shared/config/policies.ts';
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

/** A value and where it came from (the flag or the environment variable), for error messages. */
const sourced = (candidates: [string, string | undefined][]): { from: string; value: string } | undefined => {
  for (const [from, value] of candidates) if (value !== undefined && value !== '') return { from, value };
  return undefined;
};

/** The region to sign for: a Region of Shipyard's list, else a usage error naming where it came from. */
const regionOf = (options: GlobalOptions, env: NodeJS.ProcessEnv): string => {
  const region = sourced([
    ['--region', options.region],
    ['AWS_REGION', env.AWS_REGION],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION],
  ]) ?? { from: 'default', value: 'us-east-1' };
  const checked = regionSchema.safeParse(region.value);
  if (!checked.success)
    throw new UserError(
      `${region.from}: "${region.value}" is ${checked.error.issues[0]?.message ?? 'not a region'}`,
    );
  return region.value;
};

/** An endpoint is an absolute http(s) URL; anything else is a usage error naming where it came from. */
const endpointOf = (options: GlobalOptions, env: NodeJS.ProcessEnv): string | undefined => {
  const endpoint = sourced([
    ['--endpoint', options.endpoint],
    ...(options.local
      ? ([
          ['SHIPYARD_LOCAL_ENDPOINT', env.SHIPYARD_LOCAL_ENDPOINT],
          ['--local', DEFAULT_LOCAL_ENDPOINT],
        ] as [string, string][])
      : []),
  ]);
  if (endpoint === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint.value);
  } catch {
    url = undefined;
  }
  if (url === undefined || !['http:', 'https:'].includes(url.protocol) || url.hostname === '')
    throw new UserError(
      `${endpoint.from}: "${endpoint.value}" is not an endpoint URL (expected http://host:port or https://host)`,
    );
  return endpoint.value;
};

export const clientSettings = (
  options: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): ClientSettings => {
  const region = regionOf(options, env);
  const endpoint = endpointOf(options, env);
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
