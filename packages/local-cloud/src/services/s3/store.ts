import type { LocalCloud } from '../../cloud.ts';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface S3Object {
  key: string;
  body: Buffer;
  /** Quoted hex MD5, as S3 sends it in the ETag header and in listings. */
  etag: string;
  /** Base64 big-endian CRC32 of the body, returned when the client asks for checksums. */
  crc32: string;
  contentType: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  metadata: Record<string, string>;
  lastModified: number;
}

export interface Bucket {
  name: string;
  region: string;
  createdAt: number;
  objects: Map<string, S3Object>;
}

type S3EventName = 'ObjectCreated:Put' | 'ObjectRemoved:Delete';

/**
 * What S3 would put in an event notification, kept so that a router can replay it.
 * `key` is the raw key: S3 notifications URL-encode it (`+` for space), the router must too.
 */
export interface S3ObjectEvent {
  eventName: S3EventName;
  region: string;
  bucket: string;
  key: string;
  size?: number;
  /** Unquoted, as in notifications. */
  eTag?: string;
  /** Orders events of one key: a later event has a larger value (same length, upper-case hex). */
  sequencer: string;
  time: string;
}

export interface S3Store {
  buckets: Map<string, Bucket>;
  events: S3ObjectEvent[];
  sequence: number;
}

export const s3Store = (cloud: LocalCloud): S3Store =>
  cloud.store('s3', () => ({ buckets: new Map(), events: [], sequence: 0 }));

export const recordEvent = (
  cloud: LocalCloud,
  bucket: Bucket,
  event: Omit<S3ObjectEvent, 'sequencer' | 'time' | 'region' | 'bucket'>,
): void => {
  const store = s3Store(cloud);
  store.sequence += 1;
  store.events.push({
    ...event,
    region: bucket.region,
    bucket: bucket.name,
    sequencer: store.sequence.toString(16).toUpperCase().padStart(18, '0'),
    time: new Date(cloud.now()).toISOString(),
  });
};
