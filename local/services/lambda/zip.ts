import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { FunctionCodeError } from './errors.ts';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Unpacks a deployment package (`Code.ZipFile`) into `dir`. Handles the stored and deflated
 * entries that `zip`, serverless-esbuild and archiver write; zip64 and encryption are not
 * used by Lambda packages of this size and are refused.
 */
export const extractZip = (zip: Buffer, dir: string): string[] => {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FunctionCodeError('Could not unzip uploaded file: not a zip archive');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const root = resolve(dir);
  const written: string[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL)
      throw new FunctionCodeError('Could not unzip uploaded file: bad directory');
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
    if (flags & 1) throw new FunctionCodeError(`Could not unzip uploaded file: ${name} is encrypted`);
    if (zip.readUInt32LE(localOffset) !== LOCAL)
      throw new FunctionCodeError('Could not unzip uploaded file: bad entry');
    const dataStart =
      localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    let content: Buffer;
    if (method === 0) content = Buffer.from(raw);
    else if (method === 8) content = inflateRawSync(raw);
    else
      throw new FunctionCodeError(`Could not unzip uploaded file: ${name} uses compression method ${method}`);
    const target = resolve(join(root, name));
    if (!target.startsWith(root + sep))
      throw new FunctionCodeError(`Could not unzip uploaded file: unsafe path ${name}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(name);
  }
  return written;
};
