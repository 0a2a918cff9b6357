import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { EXIT, UserError } from './errors.ts';

const run = promisify(execFile);

/** A revision the user typed; never an option (`--output=…`) smuggled into git's argv. */
const REVISION = /^[\w./~^@{}-]+$/;

const checkRevision = (name: string, value: string): string => {
  if (!REVISION.test(value) || value.startsWith('-')) {
    throw new UserError(`${name}: "${value}" is not a git revision`, EXIT.usage);
  }
  return value;
};

const git = async (repoDir: string, args: string[]): Promise<string> => {
  try {
    const { stdout } = await run('git', ['-C', repoDir, ...args], { maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new UserError(
      `git ${args[0]} failed in ${repoDir}: ${stderr || (error as Error).message}`,
      EXIT.failed,
      {
        cause: error,
      },
    );
  }
};

/** The full commit id of a revision. */
export const resolveCommit = async (repoDir: string, revision: string): Promise<string> =>
  (
    await git(repoDir, [
      'rev-parse',
      '--verify',
      '--end-of-options',
      `${checkRevision('revision', revision)}^{commit}`,
    ])
  ).trim();

/** `git diff --name-status --no-renames -z from to`: renames come out as a deletion plus an addition. */
export const nameStatus = async (repoDir: string, from: string, to: string): Promise<string> =>
  git(repoDir, [
    'diff',
    '--name-status',
    '--no-renames',
    '--no-ext-diff',
    '-z',
    checkRevision('--from', from),
    checkRevision('--to', to),
    '--',
  ]);

/** `a..b` (or `a...b`) → its two ends. */
export const splitRange = (range: string): { from: string; to: string } => {
  const match = /^(.+?)\.{2,3}(.+)$/.exec(range);
  if (!match?.[1] || !match[2])
    throw new UserError(`--changed: expected a range like main~1..main, got "${range}"`);
  return { from: match[1], to: match[2] };
};
