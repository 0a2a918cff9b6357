import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { readZip, ZipReadError } from '../../zip.ts';
import { FunctionCodeError } from './errors.ts';

/**
 * Unpacks a deployment package (`Code.ZipFile`) into `dir`, refusing entries that would land
 * outside it. Errors read as Lambda's own ("Could not unzip uploaded file").
 */
export const extractZip = (zip: Buffer, dir: string): string[] => {
  let entries: ReturnType<typeof readZip>;
  try {
    entries = readZip(zip);
  } catch (error) {
    if (error instanceof ZipReadError)
      throw new FunctionCodeError(`Could not unzip uploaded file: ${error.message}`);
    throw error;
  }
  const root = resolve(dir);
  for (const { name } of entries) {
    if (!resolve(join(root, name)).startsWith(root + sep))
      throw new FunctionCodeError(`Could not unzip uploaded file: unsafe path ${name}`);
  }
  for (const { name, content } of entries) {
    const target = resolve(join(root, name));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return entries.map((e) => e.name);
};
