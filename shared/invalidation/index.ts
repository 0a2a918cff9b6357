/**
 * Pure CloudFront invalidation planning: no SDK, no I/O, no clock.
 */
export {
  countPaths,
  exceedsInFlightLimits,
  isWildcardPath,
  toBatches,
} from './batches.ts';
export { IMMUTABLE_MIN_MAX_AGE_SECONDS, isImmutableCacheControl } from './cache-control.ts';
export {
  callerReference,
  callerReferencePrefix,
  MAX_CALLER_REFERENCE_LENGTH,
} from './caller-reference.ts';
export { isNewContentHashed } from './content-hashed.ts';
export { pathCovers } from './coverage.ts';
export {
  InvalidCallerReferenceInputError,
  InvalidEventKeyError,
  InvalidPathError,
  InvalidPlanInputError,
} from './errors.ts';
export {
  clippedDemand,
  type DeployAllowance,
  deployAllowance,
  PRICE_GRID,
  pacedWildcardRounds,
  RATE_MONTHS,
  sumDemand,
  usualDeployRate,
} from './pacing.ts';
export {
  assertValidUrlPath,
  canonicalExplicitPath,
  decodePath,
  decodeS3EventKey,
  encodePath,
  MAX_PATH_LENGTH,
  UNSAFE_CHARACTERS,
  VERBATIM_PUNCTUATION,
} from './path-encoding.ts';
export {
  type IgnoredKey,
  type InvalidationPlan,
  parsePlanInput,
  pathDemand,
  planInvalidation,
  type WildcardChoice,
} from './plan.ts';
export {
  billingMonth,
  FREE_PATHS_PER_MONTH,
  marginalCostUsd,
  monthCostUsd,
  monthElapsed,
  previousMonths,
} from './pricing.ts';
export * from './schemas.ts';
export { normalizeKeyPrefix, urlFormsOfKey, urlFormsOfRelativeKey } from './url-forms.ts';
