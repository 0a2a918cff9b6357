import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { LocalCloud } from '../../cloud.ts';
import { children, childText, parseXmlBody } from '../../protocol/rest-xml.ts';
import { flat, xmlDocument } from '../../protocol/xml.ts';
import type { LocalRequest, LocalResponse } from '../../service.ts';
import { findBucket } from './buckets.ts';
import { malformedXml, noSuchKey, S3Error } from './errors.ts';
import { crc32Base64, readPayload } from './payload.ts';
import { keyAdded, keyRemoved } from './sorted-keys.ts';
import { type Bucket, recordEvent, S3_XMLNS, type S3Object } from './store.ts';

/** What S3 stores as Content-Type when the upload names none. */
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
/** DeleteObjects takes at most this many keys per request. */
const MAX_DELETE_KEYS = 1000;

const headerValue = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Stores an object (PutObject and seeds); only API uploads emit an ObjectCreated event. */
export const storeObject = (
  cloud: LocalCloud,
  bucket: Bucket,
  key: string,
  data: Buffer,
  attributes: Partial<
    Pick<S3Object, 'contentType' | 'contentEncoding' | 'cacheControl' | 'contentDisposition' | 'metadata'>
  > = {},
): S3Object => {
  const object: S3Object = {
    key,
    body: data,
    etag: `"${createHash('md5').update(data).digest('hex')}"`,
    crc32: crc32Base64(data),
    contentType: attributes.contentType ?? DEFAULT_CONTENT_TYPE,
    contentEncoding: attributes.contentEncoding,
    cacheControl: attributes.cacheControl,
    contentDisposition: attributes.contentDisposition,
    metadata: attributes.metadata ?? {},
    lastModified: cloud.now(),
  };
  const added = !bucket.objects.has(key);
  bucket.objects.set(key, object);
  if (added) keyAdded(bucket, key);
  return object;
};

const checkKey = (key: string): void => {
  if (Buffer.byteLength(key) > 1024) {
    throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
  }
};

/**
 * Conditional write `If-None-Match: *`: the object is stored only if the key does not exist,
 * else 412 PreconditionFailed (PutObject API reference, IfNoneMatch; S3 User Guide,
 * "How to prevent object overwrites with conditional writes"). Requests run one at a time
 * here, so S3's 409 ConditionalRequestConflict (a concurrent conditional write) cannot arise.
 */
const checkCreateOnly = (bucket: Bucket, key: string, ifNoneMatch: string | undefined): void => {
  if (ifNoneMatch === undefined) return;
  if (ifNoneMatch.trim() !== '*') {
    throw new S3Error('NotImplemented', 'The local cloud supports only If-None-Match: * on PutObject.', 501);
  }
  if (bucket.objects.has(key)) {
    throw new S3Error(
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      412,
      {
        Condition: 'If-None-Match',
      },
    );
  }
};

/**
 * Conditional write `If-Match: <ETag>`: the object is replaced only if its current ETag is the one
 * given, else 412 PreconditionFailed (PutObject API reference, IfMatch; S3 User Guide, "How to
 * prevent object overwrites with conditional writes"). On a key that does not exist S3 answers
 * 404 NoSuchKey [unconfirmed: IF_MATCH_MISSING_KEY_STATUS].
 */
const IF_MATCH_MISSING_KEY_STATUS = 404;
const checkIfMatch = (bucket: Bucket, key: string, ifMatch: string | undefined): void => {
  if (ifMatch === undefined) return;
  const existing = bucket.objects.get(key);
  if (!existing) {
    throw new S3Error('NoSuchKey', 'The specified key does not exist.', IF_MATCH_MISSING_KEY_STATUS);
  }
  const wanted = ifMatch.trim();
  const unquoted = (tag: string) => tag.replace(/^"|"$/g, '');
  if (wanted !== '*' && unquoted(wanted) !== unquoted(existing.etag)) {
    throw new S3Error(
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      412,
      { Condition: 'If-Match' },
    );
  }
};

export const putObject = (
  cloud: LocalCloud,
  req: LocalRequest,
  bucketName: string,
  key: string,
): LocalResponse => {
  const bucket = findBucket(cloud, bucketName);
  checkKey(key);
  if (headerValue(req.headers, 'x-amz-copy-source') !== undefined) {
    throw new S3Error('NotImplemented', 'The local cloud does not support CopyObject.', 501);
  }
  checkCreateOnly(bucket, key, headerValue(req.headers, 'if-none-match'));
  checkIfMatch(bucket, key, headerValue(req.headers, 'if-match'));
  const payload = readPayload(req.body, req.headers);
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice(11)] = value;
  }
  const object = storeObject(cloud, bucket, key, payload.data, {
    contentType: headerValue(req.headers, 'content-type'),
    contentEncoding: payload.contentEncoding,
    cacheControl: headerValue(req.headers, 'cache-control'),
    contentDisposition: headerValue(req.headers, 'content-disposition'),
    metadata,
  });
  recordEvent(cloud, bucket, {
    eventName: 'ObjectCreated:Put',
    key,
    size: object.body.length,
    eTag: object.etag.slice(1, -1),
  });
  return {
    status: 200,
    headers: { etag: object.etag, 'x-amz-server-side-encryption': 'AES256' },
  };
};

const objectHeaders = (object: S3Object, req: LocalRequest): Record<string, string> => {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': new Date(object.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  };
  if (object.contentEncoding) headers['content-encoding'] = object.contentEncoding;
  if (object.cacheControl) headers['cache-control'] = object.cacheControl;
  if (object.contentDisposition) headers['content-disposition'] = object.contentDisposition;
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  // Lets SDKs with response checksum validation prove the body arrived intact.
  if (headerValue(req.headers, 'x-amz-checksum-mode') === 'ENABLED') {
    headers['x-amz-checksum-crc32'] = object.crc32;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return headers;
};

const findObject = (bucket: Bucket, key: string): S3Object => {
  const object = bucket.objects.get(key);
  if (!object) throw noSuchKey(key);
  return object;
};

/** A single `bytes=first-last`, `bytes=first-` or `bytes=-suffix` range; others serve the whole object. */
const parseRange = (
  range: string | undefined,
  size: number,
): [number, number] | 'unsatisfiable' | undefined => {
  const match = range === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    const suffix = Math.min(Number(last), size);
    return suffix === 0 ? 'unsatisfiable' : [size - suffix, size - 1];
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  return [start, last === '' ? size - 1 : Math.min(Number(last), size - 1)];
};

export const getObject = (
  cloud: LocalCloud,
  req: LocalRequest,
  bucketName: string,
  key: string,
): LocalResponse => {
  const object = findObject(findBucket(cloud, bucketName), key);
  const headers = objectHeaders(object, req);
  const range = parseRange(headerValue(req.headers, 'range'), object.body.length);
  if (range === 'unsatisfiable') {
    throw new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, {
      RangeRequested: headerValue(req.headers, 'range') ?? '',
      ActualObjectSize: String(object.body.length),
    });
  }
  if (range) {
    const [start, end] = range;
    delete headers['x-amz-checksum-crc32'];
    delete headers['x-amz-checksum-type'];
    return {
      status: 206,
      headers: { ...headers, 'content-range': `bytes ${start}-${end}/${object.body.length}` },
      body: object.body.subarray(start, end + 1),
    };
  }
  return { status: 200, headers, body: object.body };
};

export const headObject = (
  cloud: LocalCloud,
  req: LocalRequest,
  bucketName: string,
  key: string,
): LocalResponse => {
  const object = findObject(findBucket(cloud, bucketName), key);
  return {
    status: 200,
    headers: { ...objectHeaders(object, req), 'content-length': String(object.body.length) },
  };
};

/** Removes a key; S3 answers the same whether or not it existed, but only a removal is an event. */
const removeObject = (cloud: LocalCloud, bucket: Bucket, key: string): void => {
  const object = bucket.objects.get(key);
  if (!object) return;
  bucket.objects.delete(key);
  keyRemoved(bucket, key);
  recordEvent(cloud, bucket, { eventName: 'ObjectRemoved:Delete', key });
};

/**
 * DeleteObject, conditional with `If-Match: <ETag>`: the object is removed only if its current
 * ETag is the one given, else 412 PreconditionFailed (S3 User Guide, "How to perform
 * conditional deletes", https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html);
 * on a missing key, as checkIfMatch does for PutObject.
 */
export const deleteObject = (
  cloud: LocalCloud,
  req: LocalRequest,
  bucketName: string,
  key: string,
): LocalResponse => {
  const bucket = findBucket(cloud, bucketName);
  checkIfMatch(bucket, key, headerValue(req.headers, 'if-match'));
  removeObject(cloud, bucket, key);
  return { status: 204 };
};

/** DeleteObjects: up to 1,000 keys; `Quiet` reports only failures (and we have none). */
export const deleteObjects = (cloud: LocalCloud, req: LocalRequest, bucketName: string): LocalResponse => {
  const bucket = findBucket(cloud, bucketName);
  if (req.body.length === 0) {
    throw new S3Error('MissingRequestBodyError', 'Request Body is empty', 400);
  }
  const payload = readPayload(req.body, req.headers);
  const request = parseXmlBody(payload.data, 'Delete', malformedXml);
  const objects = children(request, 'Object');
  if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw malformedXml();
  const keys = objects.map((o) => {
    const key = childText(o, 'Key');
    if (key === undefined) throw malformedXml();
    return key;
  });
  const quiet = childText(request, 'Quiet') === 'true';
  for (const key of keys) removeObject(cloud, bucket, key);
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument(
      'DeleteResult',
      { Deleted: quiet ? undefined : flat(keys.map((Key) => ({ Key }))) },
      S3_XMLNS,
    ),
  };
};
