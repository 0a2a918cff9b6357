import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export interface ZipEntry {
  name: string;
  /** Size inside the zip (compressed). */
  compressedSize: number;
  content: Buffer;
}

/** The zip is not one a Lambda package tool writes (stored/deflated, no zip64, no encryption). */
export class ZipReadError extends Error {
  constructor(message: string) {
    super(`cannot read zip: ${message}`);
    this.name = 'ZipReadError';
  }
}

/**
 * Every file of a zip, in memory, from its central directory. Enough for the deployment packages
 * serverless-esbuild writes (the local Lambda unpacks them, the bundle checks read them).
 *
 * @example
 * readZip(await readFile('.serverless/invalidateS3Events.zip')).map((e) => e.name);
 * // ['config/shipyard.dev.yml', 'functions/invalidate-s3-events/handler.mjs', '….mjs.map']
 */
export const readZip = (zip: Buffer): ZipEntry[] => {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipReadError('no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL) throw new ZipReadError('bad central directory entry');
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    if (flags & 1) throw new ZipReadError(`${name} is encrypted`);
    if (zip.readUInt32LE(localOffset) !== LOCAL) throw new ZipReadError(`bad local header for ${name}`);
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(start, start + compressedSize);
    if (method !== 0 && method !== 8) throw new ZipReadError(`${name} uses compression method ${method}`);
    entries.push({ name, compressedSize, content: method === 0 ? Buffer.from(raw) : inflateRawSync(raw) });
  }
  return entries;
};
