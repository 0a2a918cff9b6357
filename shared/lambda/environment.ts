import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { ConfigError, type ConfigProblem } from '../config/errors.ts';
import { parseConfig } from '../config/load.ts';
import { resolveConfigPath } from '../config/path.ts';
import type { ShipyardConfig } from '../config/schema.ts';

/**
 * What every function reads: the config file packaged with it (provider environment in
 * serverless.yml), resolved against the package root Lambda runs from.
 */
export const configFileEnv = z.object({
  SHIPYARD_CONFIG_FILE: z.string().min(1, 'the path of the Shipyard config file is required'),
  LAMBDA_TASK_ROOT: z.string().optional(),
});
export type ConfigFileEnv = z.infer<typeof configFileEnv>;

/**
 * The environment through its schema: every missing or invalid variable at once, by name
 * (ConfigError with source "environment").
 */
export const parseEnvironment = <T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv): T => {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems: ConfigProblem[] = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new ConfigError('environment', problems);
};

/** The packaged config file, every problem of it listed with its line. */
export const readPackagedConfig = (env: ConfigFileEnv): ShipyardConfig => {
  const file = resolveConfigPath(env.SHIPYARD_CONFIG_FILE, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file (${code})` }], {
      cause: error,
    });
  }
  return parseConfig(text, file);
};
