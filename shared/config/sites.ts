import * as z from 'zod';
import {
  DEFAULT_NEEDLESS_WEIGHT,
  DEFAULT_WILDCARD_ROUNDS,
  MAX_WILDCARD_ROUNDS,
  OriginKindSchema,
} from '../invalidation/schemas.ts';

/** A CloudFront distribution id: upper-case letters and digits, 13–14 chars as AWS issues them. */
const DistributionIdSchema = z
  .string()
  .regex(/^E[A-Z0-9]{12,13}$/, 'expected a CloudFront distribution id like E2QWRUHAPOMQZL');

/** `..` as a path segment: a key or object name must not climb out of its prefix. */
const hasDotDotSegment = (value: string): boolean => value.split('/').includes('..');
const NO_DOT_DOT = { message: 'must not contain ".." as a path segment' };

/**
 * An object name under the site's prefix (index document). CloudFront's DefaultRootObject
 * (API reference, DistributionConfig): "Your string can't begin with a forward slash (/)".
 */
const ObjectNameSchema = z
  .string()
  .min(1)
  .refine((name) => !name.startsWith('/'), {
    message: 'expected an object name such as "index.html", without a leading "/"',
  })
  .refine((name) => !hasDotDotSegment(name), NO_DOT_DOT);

/** git check-ref-format: no ASCII control characters (nor space, ~ ^ : ? * [ \\), no "..", no "@{". */
const BranchSchema = z
  .string()
  .min(1)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  .refine((branch) => !/[\x00-\x1f\x7f]/.test(branch), {
    message: 'a git branch name cannot contain control characters',
  })
  .refine((branch) => !/[ ~^:?*[\\]|\.\.|@\{|^\/|\/$|\.lock$|^-/.test(branch), {
    message:
      'not a git branch name (git check-ref-format: no space, ~ ^ : ? * [ \\, "..", "@{", leading "/" or "-")',
  });

const SecretRefSchema = z.union([
  z
    .object({
      ssmParameter: z.string().regex(/^\/[\w./-]+$/, 'expected an SSM parameter name starting with /'),
    })
    .strict(),
  z.object({ secretsManagerSecret: z.string().min(1) }).strict(),
]);

/**
 * Below this many changed URLs a listing is not worth it: at most 9 paths ($0.045) could be saved,
 * and the 15 wildcards in flight are better kept for large deploys.
 */
const DEFAULT_INVENTORY_MIN_URLS = 10;

/**
 * CloudFront: completion is usually seconds to a few minutes, historically up to tens of minutes
 * (AWS-FACTS "Invalidations"); past five minutes the edge is late enough to tell someone.
 */
const DEFAULT_SLOW_AFTER_SECONDS = 300;

const isRegExp = (source: string): boolean => {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
};

const SiteInvalidationSettingsSchema = z
  .object({
    /** Cost of one needlessly invalidated object, in units of one billed path. */
    needlessWeight: z.number().min(0).default(DEFAULT_NEEDLESS_WEIGHT),
    /** Budget of billed paths per deploy; the planner collapses into wildcards to stay within it. */
    maxPathsPerDeploy: z.number().int().min(1).max(3000).optional(),
    /**
     * A deploy may use up to this many × 15 wildcards (CloudFront's limit is on wildcards in progress
     * at one time, not per deploy): batches beyond the first round are deferred until the earlier
     * ones complete, so their objects are fresh later. 1: every wildcard at once.
     */
    wildcardRounds: z
      .number()
      .int('expected a whole number of rounds')
      .min(1, 'expected at least 1 round (1: every wildcard of a deploy at once)')
      .max(
        MAX_WILDCARD_ROUNDS,
        `expected at most ${MAX_WILDCARD_ROUNDS} rounds: each one waits for the previous invalidations to complete`,
      )
      .default(DEFAULT_WILDCARD_ROUNDS),
    /** Wait for the invalidations to complete, at most this long (0: don't wait). */
    waitForCompletionSeconds: z.number().int().min(0).max(900).default(0),
    /**
     * List the site's keys (S3 ListObjectsV2) so the planner counts needless objects exactly and
     * can choose wildcards: 'auto' lists only for change sets of at least `inventoryMinUrls` URLs,
     * where a wildcard can replace enough paths to matter; 'always'; 'never' (no s3:ListBucket use).
     */
    inventory: z.enum(['auto', 'always', 'never']).default('auto'),
    /** The 'auto' threshold: below it exact paths cost at most a few cents and keep wildcards free. */
    inventoryMinUrls: z.number().int().min(1).default(DEFAULT_INVENTORY_MIN_URLS),
    /**
     * Billed paths this site may spend per UTC month; deploys are paced against it (see
     * shared/invalidation/pacing.ts). Default: an equal share of the account cap among the sites.
     */
    monthlyPathBudget: z.number().int().min(1).optional(),
    /**
     * Keys (relative to keyPrefix) whose name changes with their content, as regular expressions
     * matched against the whole key, e.g. "assets/.*\\.[0-9a-f]{8}\\..*": added ones need no invalidation.
     */
    contentHashedKeys: z
      .array(
        z.string().refine(isRegExp, { message: 'expected a regular expression (JavaScript syntax, u flag)' }),
      )
      .default([]),
    /**
     * 'read': HeadObject each added key (at most MAX_METADATA_READS per deploy) and leave out those
     * stored with an immutable, year-long Cache-Control (RFC 8246): they need no invalidation when
     * added. Needs s3:GetObject under keyPrefix. 'ignore': no reads (the default).
     */
    immutableCacheControl: z.enum(['ignore', 'read']).default('ignore'),
    /** An invalidation still not Completed this long after its submission is reported as slow. */
    slowAfterSeconds: z.number().int().min(1).default(DEFAULT_SLOW_AFTER_SECONDS),
  })
  .strict();

export const SiteSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'expected a lower-case slug like "web"'),
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'),
    /** The distribution's origin path as a key prefix: key `site/a.html` is URL `/a.html` when keyPrefix is `site/`. */
    keyPrefix: z
      .string()
      .regex(/^([^/].*\/)?$/, 'expected "" or a prefix ending in "/" without a leading "/", like "site/"')
      .refine((prefix) => !hasDotDotSegment(prefix), NO_DOT_DOT)
      .default(''),
    distributionIds: z.array(DistributionIdSchema).min(1, 'a site needs at least one distribution'),
    indexDocument: ObjectNameSchema.default('index.html'),
    defaultRootObject: ObjectNameSchema.default('index.html'),
    /**
     * What serves the objects: decides which directory URLs (`/d/`, `/d`) of an index document are
     * cache keys. 'unknown' invalidates them all (never misses); see ORIGIN_DIRECTORY_URLS.
     */
    origin: OriginKindSchema.default('unknown'),
    /** The cache key includes query strings: invalidate `/path*` so every query variant is dropped. */
    queryStrings: z.boolean().default(false),
    /**
     * Whether the bucket's S3 object events (through the S3 events queue) trigger invalidations.
     * Turn it off for sites whose deploys are announced by CI (`notify-deploy`), a webhook or
     * CodePipeline, so one release is never invalidated twice through two triggers.
     */
    s3Events: z.boolean().default(true),
    /** Paths invalidated when the exact change set is unknown (truncated push, CodePipeline). */
    broadPaths: z.array(z.string().regex(/^\//, 'paths start with "/"')).min(1).default(['/*']),
    repo: z
      .object({
        fullName: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"'),
        branch: BranchSchema.default('main'),
        /** Repository folder whose files are the site's keys (after keyPrefix). */
        pathPrefix: z.string().default(''),
        webhookSecret: SecretRefSchema.optional(),
      })
      .strict()
      .optional(),
    // prefault: an omitted block is parsed as {}, so every field's own default applies.
    invalidation: SiteInvalidationSettingsSchema.prefault({}),
  })
  .strict();

export type Site = z.infer<typeof SiteSchema>;
export type SiteInput = z.input<typeof SiteSchema>;
