import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { extractZip } from '../services/lambda/zip.ts';

/** The function's package is missing or does not hold the module its Handler names. */
class FunctionPackageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FunctionPackageError';
  }
}

export interface ExtractedFunction {
  /** The bundle file the Handler's module part names. */
  bundle: string;
  /** The export the Handler names. */
  exportName: string;
}

const EXTENSIONS = ['.mjs', '.js', '.cjs'];

/**
 * Unpacks a function's deployment package (the zip `Code.S3Key` names, found by its
 * basename in the package folder) into `dir`, replacing what a previous deploy left
 * there, and finds the module `Handler` (`functions/x/handler.handler`) points at.
 */
export const extractFunctionCode = (
  packageDir: string,
  s3Key: string,
  handler: string,
  dir: string,
): ExtractedFunction => {
  const zipPath = join(packageDir, basename(s3Key));
  if (!existsSync(zipPath))
    throw new FunctionPackageError(`package ${zipPath} not found (Code.S3Key ${s3Key})`);
  rmSync(dir, { recursive: true, force: true });
  try {
    extractZip(readFileSync(zipPath), dir);
  } catch (error) {
    throw new FunctionPackageError(`cannot unpack ${zipPath}: ${(error as Error).message}`, { cause: error });
  }
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new FunctionPackageError(`Handler ${handler} has no module part`);
  const modulePath = handler.slice(0, dot);
  for (const ext of EXTENSIONS) {
    const bundle = join(dir, modulePath + ext);
    if (existsSync(bundle)) return { bundle, exportName: handler.slice(dot + 1) };
  }
  throw new FunctionPackageError(`${zipPath} has no module ${modulePath} (Handler ${handler})`);
};
