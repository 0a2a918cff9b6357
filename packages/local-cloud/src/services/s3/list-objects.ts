import type { LocalCloud } from '../../cloud.ts';
import { flat, type XmlObject, xmlDocument } from '../../protocol/xml.ts';
import type { LocalResponse } from '../../service.ts';
import { findBucket } from './buckets.ts';
import { invalidArgument } from './errors.ts';
import { byteOrder, firstAtOrAfter, sortedKeys } from './sorted-keys.ts';
import { S3_XMLNS, type S3Object } from './store.ts';

const MAX_KEYS_LIMIT = 1000;

/** S3 lists keys in UTF-8 byte order, which differs from UTF-16 order above U+FFFF. */

/**
 * The continuation token names the last entry returned (a key, or a common prefix whose
 * keys must all be skipped). Resuming strictly after it means keys added between pages
 * appear if they sort later and are never repeated or skipped.
 */
interface Cursor {
  after: string;
  isPrefix: boolean;
}

const encodeToken = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify([cursor.after, cursor.isPrefix])).toString('base64');

const decodeToken = (token: string): Cursor => {
  try {
    const [after, isPrefix] = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown[];
    if (typeof after === 'string' && typeof isPrefix === 'boolean') return { after, isPrefix };
  } catch {
    // falls through to the S3 error below
  }
  throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
};

/** `encoding-type=url`: form-style escaping (space as `+`), which botocore undoes with unquote_plus. */
const urlEncode = (value: string): string =>
  encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const maxKeysParam = (query: URLSearchParams): number => {
  const raw = query.get('max-keys');
  if (raw === null) return MAX_KEYS_LIMIT;
  const n = Number(raw);
  if (raw === '' || !Number.isInteger(n) || n < 0) {
    throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', raw);
  }
  return Math.min(n, MAX_KEYS_LIMIT);
};

type Entry = { kind: 'key'; object: S3Object } | { kind: 'prefix'; prefix: string };

export const listObjectsV2 = (
  cloud: LocalCloud,
  bucketName: string,
  query: URLSearchParams,
): LocalResponse => {
  const bucket = findBucket(cloud, bucketName);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const startAfter = query.get('start-after') ?? '';
  const token = query.get('continuation-token');
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
  }
  const maxKeys = maxKeysParam(query);
  // A continuation token wins over start-after, which S3 only echoes then.
  const cursor: Cursor | undefined =
    token !== null
      ? decodeToken(token)
      : startAfter !== ''
        ? { after: startAfter, isPrefix: false }
        : undefined;

  const entries: Entry[] = [];
  let isTruncated = false;
  let lastPrefix: string | undefined;
  const keys = sortedKeys(bucket);
  // The keys under a prefix are contiguous in byte order: start at the first one, stop after the last.
  for (let i = firstAtOrAfter(keys, prefix); i < keys.length; i++) {
    const key = keys[i] as string;
    if (!key.startsWith(prefix)) break;
    if (cursor && byteOrder(key, cursor.after) <= 0) continue;
    if (cursor?.isPrefix && key.startsWith(cursor.after)) continue;
    let entry: Entry | undefined;
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    if (cut !== -1) {
      const common = key.slice(0, cut + delimiter.length);
      if (common !== lastPrefix) entry = { kind: 'prefix', prefix: common };
      lastPrefix = common;
    } else {
      const object = bucket.objects.get(key);
      if (object) entry = { kind: 'key', object };
    }
    if (!entry) continue;
    if (entries.length >= maxKeys) {
      // With max-keys=0 there is no last entry to continue from, so nothing is "truncated".
      isTruncated = maxKeys > 0;
      break;
    }
    entries.push(entry);
  }

  const encode = (value: string) => (encodingType === 'url' ? urlEncode(value) : value);
  const last = entries.at(-1);
  const nextToken =
    isTruncated && last
      ? encodeToken(
          last.kind === 'key'
            ? { after: last.object.key, isPrefix: false }
            : { after: last.prefix, isPrefix: true },
        )
      : undefined;
  const contents: XmlObject[] = [];
  const prefixes: XmlObject[] = [];
  for (const entry of entries) {
    if (entry.kind === 'prefix') {
      prefixes.push({ Prefix: encode(entry.prefix) });
      continue;
    }
    const { object } = entry;
    contents.push({
      Key: encode(object.key),
      LastModified: new Date(object.lastModified),
      ETag: object.etag,
      Size: object.body.length,
      StorageClass: 'STANDARD',
      ...(query.get('fetch-owner') === 'true'
        ? { Owner: { ID: cloud.accountId, DisplayName: 'local' } }
        : {}),
    });
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument(
      'ListBucketResult',
      {
        Name: bucket.name,
        Prefix: encode(prefix),
        Delimiter: delimiter === '' ? undefined : encode(delimiter),
        MaxKeys: maxKeys,
        EncodingType: encodingType ?? undefined,
        KeyCount: entries.length,
        IsTruncated: isTruncated,
        ContinuationToken: token ?? undefined,
        NextContinuationToken: nextToken,
        StartAfter: startAfter === '' ? undefined : encode(startAfter),
        Contents: contents.length > 0 ? flat(contents) : undefined,
        CommonPrefixes: prefixes.length > 0 ? flat(prefixes) : undefined,
      },
      S3_XMLNS,
    ),
  };
};
