/**
 * Pure CloudFront invalidation planning: no SDK, no I/O, no clock.
 */
export {
  countPaths,
  exceedsInFlightLimits,
  type InvalidationBatch,
  isWildcardPath,
  toBatches,
} from './batches.ts';
export {
  type CallerReferenceInput,
  callerReference,
  callerReferencePrefix,
  MAX_CALLER_REFERENCE_LENGTH,
} from './caller-reference.ts';
export { pathCovers } from './coverage.ts';
export {
  InvalidCallerReferenceInputError,
  InvalidEventKeyError,
  InvalidPathError,
  InvalidPlanInputError,
  PlannerInvariantError,
} from './errors.ts';
export {
  assertValidUrlPath,
  canonicalExplicitPath,
  decodePath,
  decodeS3EventKey,
  encodePath,
  MAX_PATH_LENGTH,
  RESERVED_ESCAPES,
  UNSAFE_CHARACTERS,
  UNSUPPORTED_CHARACTER,
  VERBATIM_PUNCTUATION,
  wildcardBefore,
} from './path-encoding.ts';
export {
  type IgnoredKey,
  type InvalidationPlan,
  parsePlanInput,
  planInvalidation,
  type WildcardChoice,
} from './plan.ts';
export * from './schemas.ts';
export { type KeyUrls, normalizeKeyPrefix, urlFormsOfKey, urlFormsOfRelativeKey } from './url-forms.ts';
