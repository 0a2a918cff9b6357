/**
 * The strategies the benchmark compares. Each turns one deploy into a plan of decoded paths.
 */
import { decodePath, planInvalidation, toBatches } from '../../shared/invalidation/index.ts';
import { collapseUrlForms, normalizeInvalidationPaths } from './s3deploy.ts';
import { urlForms } from './scoring.ts';

export interface DeployInput {
  readonly changes: ReadonlyArray<{ readonly path: string; readonly status: 'A' | 'M' | 'D' }>;
  /** I' = (I ∪ added) − deleted. */
  readonly inventoryAfter: readonly string[];
  /** The commit time, epoch ms. */
  readonly time: number;
}

interface StrategyPlan {
  /** Decoded paths. */
  readonly paths: readonly string[];
  readonly batches: number;
  /** What the strategy reports about its own needless objects (Shipyard only), to cross-check. */
  readonly reportedNeedless?: number | null;
}

export interface Strategy {
  readonly name: string;
  plan(deploy: DeployInput): StrategyPlan;
}

/** s3deploy's threshold (hard-coded 8 in lib/cloudfront.go). */
const S3DEPLOY_THRESHOLD = 8;

const DEFAULT_LIMITS = {
  maxFilePathsInFlight: 3000,
  maxWildcardsInFlight: 15,
  inFlight: { files: 0, wildcards: 0 },
};

function batchesOf(paths: readonly string[]): number {
  return toBatches(paths, DEFAULT_LIMITS).length;
}

const perFile: Strategy = {
  name: 'per-file',
  plan(deploy) {
    const paths = [...new Set(deploy.changes.flatMap((c) => urlForms(c.path)))];
    return { paths, batches: batchesOf(paths) };
  },
};

const all: Strategy = {
  name: 'all',
  plan(deploy) {
    return deploy.changes.length === 0 ? { paths: [], batches: 0 } : { paths: ['/*'], batches: 1 };
  },
};

const s3deploy: Strategy = {
  name: 's3deploy',
  plan(deploy) {
    if (deploy.changes.length === 0) return { paths: [], batches: 0 };
    const paths = normalizeInvalidationPaths(
      '',
      S3DEPLOY_THRESHOLD,
      false,
      deploy.changes.map((c) => c.path),
    );
    return { paths, batches: 1 };
  },
};

const s3deployForms: Strategy = {
  name: 's3deploy-forms',
  plan(deploy) {
    if (deploy.changes.length === 0) return { paths: [], batches: 0 };
    const paths = collapseUrlForms(
      deploy.changes.flatMap((c) => urlForms(c.path)),
      S3DEPLOY_THRESHOLD,
    );
    return { paths, batches: 1 };
  },
};

export const KIND = { A: 'added', M: 'modified', D: 'deleted' } as const;

/** Shipyard's planner; `maxPaths` undefined = unbudgeted with the default needless weight. */
function shipyard(name: string, maxPaths?: number, withinBudget?: 'fewest-needless' | 'cheapest'): Strategy {
  return {
    name,
    plan(deploy) {
      const plan = planInvalidation({
        changes: deploy.changes.map((c) => ({ key: c.path, change: KIND[c.status] })),
        inventory: [...deploy.inventoryAfter],
        cost: maxPaths === undefined ? {} : { maxPaths, ...(withinBudget ? { withinBudget } : {}) },
      });
      return {
        paths: plan.paths.map(decodePath),
        batches: plan.batches.length,
        reportedNeedless: plan.needlessObjects,
      };
    },
  };
}

/** The stateless strategies; budget-strategies.ts adds the paced ones. */
export const STATELESS_STRATEGIES: readonly Strategy[] = [
  perFile,
  all,
  s3deploy,
  s3deployForms,
  shipyard('shipyard', S3DEPLOY_THRESHOLD),
  shipyard('shipyard-cheapest', S3DEPLOY_THRESHOLD, 'cheapest'),
  shipyard('shipyard-default'),
];
