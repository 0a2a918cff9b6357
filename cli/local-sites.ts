import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig } from '../shared/config/load.ts';
import type { Site } from '../shared/config/sites.ts';

/**
 * The sites whose buckets a local deploy wires to the S3 events queue: those of
 * `config/shipyard.<stage>.yml` (relative to the current directory) unless a file is named;
 * a missing default file means no sites.
 */
export const sitesForLocalDeploy = (stage: string, configFile?: string): Site[] => {
  const file = resolve(configFile ?? `config/shipyard.${stage}.yml`);
  if (!configFile && !existsSync(file)) return [];
  return parseConfig(readFileSync(file, 'utf8'), file).sites;
};
