import { invalidArgument } from './errors.ts';

export interface S3Address {
  /** Empty for service-level requests (ListBuckets). */
  bucket: string;
  /** Empty for bucket-level requests. */
  key: string;
}

const decode = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidArgument(`The request path is not validly percent-encoded: ${raw}`);
  }
};

/**
 * The bucket of a virtual-hosted request: `bucket.s3.amazonaws.com`,
 * `bucket.s3.<region>.amazonaws.com`, or `bucket.localhost` as SDKs build it against a
 * local endpoint named localhost. Anything else (an IP, plain localhost) is path-style.
 */
const virtualHostBucket = (host: string): string | undefined => {
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const s3Style = /^(.+)\.s3[.-]/.exec(hostname);
  if (s3Style?.[1]) return s3Style[1];
  if (hostname.endsWith('.localhost')) return hostname.slice(0, -'.localhost'.length);
  return undefined;
};

export const s3Address = (host: string, rawPath: string): S3Address => {
  const virtual = virtualHostBucket(host);
  if (virtual !== undefined) return { bucket: virtual, key: decode(rawPath.slice(1)) };
  const path = rawPath.slice(1);
  const slash = path.indexOf('/');
  if (slash === -1) return { bucket: decode(path), key: '' };
  return { bucket: decode(path.slice(0, slash)), key: decode(path.slice(slash + 1)) };
};
