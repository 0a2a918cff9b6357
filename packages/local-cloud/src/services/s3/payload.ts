import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import { S3Error } from './errors.ts';

/**
 * Request payloads as S3 receives them. SDKs with flexible checksums send streamed
 * uploads as `aws-chunked` (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`,
 * with `x-amz-content-sha256: STREAMING-…`); the stored object must be the decoded data,
 * and any checksum the client sent (header or trailer) must match it.
 */
export interface Payload {
  data: Buffer;
  /** Content-Encoding to store, without `aws-chunked`. */
  contentEncoding?: string;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
};

const incomplete = (message: string) => new S3Error('IncompleteBody', message, 400);

const decodeAwsChunked = (body: Buffer): { data: Buffer; trailers: Map<string, string> } => {
  const parts: Buffer[] = [];
  const trailers = new Map<string, string>();
  let pos = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd === -1) throw incomplete('The aws-chunked body ended inside a chunk header.');
    const sizeText = body.subarray(pos, lineEnd).toString('latin1').split(';')[0] ?? '';
    const size = Number.parseInt(sizeText, 16);
    if (!/^[0-9a-fA-F]+$/.test(sizeText) || Number.isNaN(size)) {
      throw incomplete(`The aws-chunked body has a bad chunk size: ${sizeText}`);
    }
    pos = lineEnd + 2;
    if (size === 0) break;
    if (pos + size + 2 > body.length) throw incomplete('The aws-chunked body ended inside a chunk.');
    parts.push(body.subarray(pos, pos + size));
    pos += size;
    if (body.subarray(pos, pos + 2).toString('latin1') !== '\r\n') {
      throw incomplete('An aws-chunked chunk is not followed by CRLF.');
    }
    pos += 2;
  }
  // Trailer lines (`x-amz-checksum-crc32:…`, `x-amz-trailer-signature:…`) up to an empty line.
  while (pos < body.length) {
    const lineEnd = body.indexOf('\r\n', pos);
    const line = body.subarray(pos, lineEnd === -1 ? body.length : lineEnd).toString('utf8');
    pos = lineEnd === -1 ? body.length : lineEnd + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { data: Buffer.concat(parts), trailers };
};

export const crc32Base64 = (data: Buffer): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out.toString('base64');
};

const badDigest = (what: string) =>
  new S3Error('BadDigest', `The ${what} you specified did not match the calculated checksum.`, 400);

/** Checksums we can compute with Node alone; CRC32C and CRC64NVME are accepted unchecked. */
const verifyChecksums = (data: Buffer, headers: IncomingHttpHeaders, trailers: Map<string, string>) => {
  const sent = (name: string) => trailers.get(name) ?? header(headers, name);
  const crc = sent('x-amz-checksum-crc32');
  if (crc !== undefined && crc !== crc32Base64(data)) throw badDigest('CRC32');
  const sha1 = sent('x-amz-checksum-sha1');
  if (sha1 !== undefined && sha1 !== createHash('sha1').update(data).digest('base64'))
    throw badDigest('SHA1');
  const sha256 = sent('x-amz-checksum-sha256');
  if (sha256 !== undefined && sha256 !== createHash('sha256').update(data).digest('base64')) {
    throw badDigest('SHA256');
  }
  const md5 = header(headers, 'content-md5');
  if (md5 !== undefined && md5 !== createHash('md5').update(data).digest('base64')) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  }
  const contentSha = header(headers, 'x-amz-content-sha256');
  if (
    contentSha !== undefined &&
    /^[0-9a-f]{64}$/.test(contentSha) &&
    contentSha !== createHash('sha256').update(data).digest('hex')
  ) {
    throw new S3Error(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      400,
    );
  }
};

/** The object data of a request: aws-chunked decoded, checksums verified. */
export const readPayload = (body: Buffer, headers: IncomingHttpHeaders): Payload => {
  const encodings = (header(headers, 'content-encoding') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const chunked =
    encodings.includes('aws-chunked') ||
    (header(headers, 'x-amz-content-sha256') ?? '').startsWith('STREAMING-');
  const rest = encodings.filter((e) => e !== 'aws-chunked').join(',');
  const contentEncoding = rest === '' ? undefined : rest;
  if (!chunked) {
    verifyChecksums(body, headers, new Map());
    return { data: body, contentEncoding };
  }
  const { data, trailers } = decodeAwsChunked(body);
  const declared = header(headers, 'x-amz-decoded-content-length');
  if (declared !== undefined && Number(declared) !== data.length) {
    throw incomplete(
      `You did not provide the number of bytes specified by the x-amz-decoded-content-length header (${declared}, got ${data.length}).`,
    );
  }
  verifyChecksums(data, headers, trailers);
  return { data, contentEncoding };
};
