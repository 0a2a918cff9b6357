import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * serverless-esbuild builds inside the repository (`.esbuild/`, `.serverless/`): two packagings
 * at once (test files run in parallel workers) overwrite each other's output and both fail. One
 * packaging at a time per checkout, across processes; a lock left by a dead process is taken over.
 */
const LOCK_DIR = join(
  tmpdir(),
  `shipyard-package-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`,
);
const POLL_MS = 200;

const holderAlive = async (): Promise<boolean> => {
  const pid = Number(await readFile(join(LOCK_DIR, 'pid'), 'utf8').catch(() => ''));
  // No pid yet: the holder is between mkdir and writeFile.
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};

/** Runs `work` while holding the checkout's packaging lock. */
export const withPackageLock = async <T>(work: () => Promise<T>): Promise<T> => {
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await holderAlive())) await rm(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((done) => setTimeout(done, POLL_MS));
    }
  }
  try {
    await writeFile(join(LOCK_DIR, 'pid'), String(process.pid));
    return await work();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
};
