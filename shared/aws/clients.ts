/**
 * Shared SDK client settings. CloudFront's CreateInvalidation has a low request rate (AWS-FACTS):
 * adaptive retry mode adds client-side rate limiting on top of the standard retries of
 * Throttling and 5xx. Nothing else is retried by the SDK (TooManyInvalidationsInProgress is a
 * 400 the SDK treats as final, which is what we want: we defer instead).
 */
export interface ClientOptions {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  profile?: string;
  maxAttempts?: number;
}

const DEFAULT_MAX_ATTEMPTS = 6;

/** CloudFront is global and signed for us-east-1 whatever the caller's region. */
export const cloudFrontClientConfig = (options: ClientOptions = {}) => ({
  ...options,
  region: 'us-east-1',
  maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  retryMode: 'adaptive' as const,
});

export const regionalClientConfig = (options: ClientOptions = {}) => ({
  ...options,
  maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  retryMode: 'standard' as const,
});
