/**
 * Loading the deploy-history datasets (format: /work/shared/data/deploys/README.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface DeployChange {
  readonly path: string;
  readonly status: 'A' | 'M' | 'D';
}

interface Deploy {
  readonly id: string;
  readonly time: string;
  readonly changes: readonly DeployChange[];
}

export interface Dataset {
  readonly name: string;
  readonly inventory: readonly string[];
  readonly deploys: readonly Deploy[];
}

/** Every `*.json` dataset of a directory, sorted by file name. */
export function loadDatasets(dir: string): Dataset[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        inventory: string[];
        deploys: Deploy[];
      };
      return { name: basename(file, '.json'), inventory: raw.inventory, deploys: raw.deploys };
    });
}
