/**
 * Input schemas of the invalidation planner. Types are derived from them; unknown keys are rejected
 * so that a typo (`maxpaths`) fails loudly instead of silently planning without a budget.
 */
import * as z from 'zod';

/** CloudFront per-distribution limit on file paths in invalidations in progress. */
export const MAX_FILE_PATHS_IN_FLIGHT = 3000;
/** CloudFront per-distribution limit on wildcard paths in invalidations in progress. */
export const MAX_WILDCARDS_IN_FLIGHT = 15;
/**
 * Rounds of wildcards one plan may use: up to this many × MAX_WILDCARDS_IN_FLIGHT wildcards (less
 * what is in flight). CloudFront limits the wildcard paths *in progress at one time* per distribution
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html), not
 * the wildcards of a deploy: batches keep at most MAX_WILDCARDS_IN_FLIGHT each, and those that do not
 * fit wait on the deferred queue until earlier ones complete. The price is freshness: a deferred
 * batch's objects stay stale until then. 1 = every wildcard at once (no deferral by the plan itself).
 */
export const DEFAULT_WILDCARD_ROUNDS = 4;
/** The most rounds a site may configure (each one a wait for the previous invalidations). */
export const MAX_WILDCARD_ROUNDS = 10;

/**
 * Default cost of one needlessly invalidated object, in billed paths: the planner's default and the
 * sites' (`invalidation.needlessWeight`), so the benchmark measures what users get. A billed path
 * costs $0.005. A needless invalidation costs one extra origin fetch per regional edge cache holding
 * the object (≈13 RECs × an S3 GET at $0.0004/1,000 ≈ $0.000005, i.e. 0.001 path) plus what cannot be
 * billed: slower first responses and origin load after the cache went cold. We charge twenty times
 * the pure request cost: 50 needless objects are worth one path.
 */
export const DEFAULT_NEEDLESS_WEIGHT = 0.02;

/**
 * Without an inventory the planner cannot count what a wildcard hits needlessly. It assumes the worst
 * reasonable case: every directory it knows of (from the changed keys) holds this many unchanged
 * objects. With the default weight a directory wildcard then costs 1 + 20 path-equivalents, so it is
 * only chosen where it replaces more than 21 paths per known directory.
 */
const DEFAULT_ASSUMED_UNCHANGED_PER_DIRECTORY = 1000;

const ChangeKindSchema = z.enum(['added', 'modified', 'deleted']);
export type ChangeKind = z.infer<typeof ChangeKindSchema>;

const ObjectChangeSchema = z
  .object({
    /** S3 object key, decoded (use `decodeS3EventKey` on keys from S3 event notifications). */
    key: z.string(),
    change: ChangeKindSchema,
  })
  .strict();
export type ObjectChange = z.infer<typeof ObjectChangeSchema>;

/**
 * When a directory URL (`/d/` or `/d` for `d/index.html`) is a cache key of the object: 'always';
 * 'on-add-or-delete' (it caches something that only changes when the object appears or goes, e.g.
 * an S3 website endpoint's redirect of `/d` to `/d/`, or the 404 cached before); 'never'.
 */
const FormRuleSchema = z.enum(['always', 'on-add-or-delete', 'never']);
export type FormRule = z.infer<typeof FormRuleSchema>;

const DirectoryUrlsSchema = z
  .object({ slash: FormRuleSchema.default('always'), bare: FormRuleSchema.default('always') })
  .strict();
export type DirectoryUrls = z.output<typeof DirectoryUrlsSchema>;

/**
 * What serves the distribution's objects, which decides the directory URLs that are cache keys
 * (AWS-FACTS "Directory indexes", 2026-12 correction). 'unknown' (the default) invalidates every form
 * and never misses; the others drop the forms that origin never caches:
 * - 's3-rest': S3 REST/OAC origin: `/d/` is not `d/index.html` (the default root object applies only
 *   at the root URL), so only `/d/index.html`;
 * - 's3-website': S3 website endpoint: `/d/` serves the index; `/d` is a redirect to `/d/`, which
 *   changes only when the index appears or goes;
 * - 'rewrite-index': a viewer-request function rewrites `/d/` (and `/d`) to `/d/index.html`: the cache
 *   key is the rewritten URI, so only `/d/index.html`.
 */
export const ORIGIN_DIRECTORY_URLS = {
  unknown: { slash: 'always', bare: 'always' },
  's3-rest': { slash: 'never', bare: 'never' },
  's3-website': { slash: 'always', bare: 'on-add-or-delete' },
  'rewrite-index': { slash: 'never', bare: 'never' },
} as const satisfies Record<string, DirectoryUrls>;
export const OriginKindSchema = z.enum(['unknown', 's3-rest', 's3-website', 'rewrite-index']);

export const SiteMappingSchema = z
  .object({
    /** The origin path as a key prefix (`/site` or `site/` → keys `site/…`); '' serves the whole bucket. */
    keyPrefix: z.string().default(''),
    /** Directory index document: `d/index.html` is also served as `/d/` and `/d`. null: no directory URLs. */
    indexDocument: z.string().min(1).nullable().default('index.html'),
    /** CloudFront default root object: this root key is also served as `/`. */
    defaultRootObject: z.string().min(1).nullable().default('index.html'),
    /** Which directory URLs of an index document are cache keys (see ORIGIN_DIRECTORY_URLS). */
    directoryUrls: DirectoryUrlsSchema.prefault({}),
    /**
     * The cache key includes query strings: every exact URL becomes `/url*` so that every query
     * variant is dropped (a wildcard each: the wildcard limit and the cost model apply).
     */
    queryStrings: z.boolean().default(false),
  })
  .strict();
export type SiteMapping = z.output<typeof SiteMappingSchema>;

const count = z.number().int().min(0);

export const LimitsSchema = z
  .object({
    maxFilePathsInFlight: z.number().int().positive().default(MAX_FILE_PATHS_IN_FLIGHT),
    maxWildcardsInFlight: z.number().int().min(0).default(MAX_WILDCARDS_IN_FLIGHT),
    /** A plan may use up to wildcardRounds × maxWildcardsInFlight wildcards, less those in flight. */
    wildcardRounds: z.number().int().min(1).default(DEFAULT_WILDCARD_ROUNDS),
    /** Paths of this distribution's invalidations still `InProgress`. */
    inFlight: z
      .object({ files: count.default(0), wildcards: count.default(0) })
      .strict()
      .prefault({}),
  })
  .strict();
export type Limits = z.output<typeof LimitsSchema>;

const CostSchema = z
  .object({
    /** Cost of one needlessly invalidated object, in billed paths. */
    needlessWeight: z.number().finite().min(0).default(DEFAULT_NEEDLESS_WEIGHT),
    /** Budget of billed paths for this deploy (a hard cap). */
    maxPaths: z.number().int().positive().optional(),
    /**
     * What to optimise within the budget: 'balanced' (default) spends a path only where it saves at
     * least BALANCED_PATH_SHARE of what the fewest-path plan invalidates needlessly (see plan.ts);
     * 'fewest-needless' spends up to maxPaths paths to invalidate as few unchanged objects as
     * possible; 'cheapest' keeps the cost model (a path is only spent where it saves more than
     * 1/needlessWeight needless objects) and uses the budget as a cap.
     */
    withinBudget: z.enum(['balanced', 'fewest-needless', 'cheapest']).default('balanced'),
    /** Without an inventory: unchanged objects assumed per known directory (see the constant). */
    assumedUnchangedPerDirectory: z.number().finite().min(0).default(DEFAULT_ASSUMED_UNCHANGED_PER_DIRECTORY),
  })
  .strict();

export const PlanInputSchema = z
  .object({
    changes: z.array(ObjectChangeSchema),
    site: SiteMappingSchema.prefault({}),
    /** Every key served after the deploy (S3 listing). Without it needless objects are not counted. */
    inventory: z.array(z.string()).optional(),
    limits: LimitsSchema.prefault({}),
    cost: CostSchema.prefault({}),
    /** Explicitly ask for `/*`. */
    invalidateAll: z.boolean().default(false),
  })
  .strict();
/** What callers pass (defaults optional). */
export type PlanInput = z.input<typeof PlanInputSchema>;
/** The input with every default applied. */
export type ParsedPlanInput = z.output<typeof PlanInputSchema>;
