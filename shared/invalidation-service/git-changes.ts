import type { Site } from '../config/sites.ts';
import { folderPrefix } from './change-set.ts';
import type { DeployDetail } from './deploy-event.ts';
import { MalformedEventError } from './errors.ts';

/** EventBridge's limit on one event is 256 KB; keep a margin for the envelope. */
export const MAX_DETAIL_BYTES = 240 * 1024;

export interface RepoChange {
  /** Path relative to the site root (the repository path minus the site's repo.pathPrefix). */
  path: string;
  status: 'A' | 'M' | 'D';
}

/**
 * Parses `git diff --name-status --no-renames -z` output (NUL-separated status and path) and
 * keeps the files under the site's repository folder, relative to it. Renames must be off:
 * a rename is then a deletion plus an addition, and both URLs get invalidated.
 *
 * @example
 * siteChangesFromGitDiff('M\0public/index.html\0D\0README.md\0', 'public/')
 * // [{ path: 'index.html', status: 'M' }]
 */
export const siteChangesFromGitDiff = (output: string, repoPathPrefix: string): RepoChange[] => {
  const prefix = folderPrefix(repoPathPrefix);
  const fields = output.split('\0');
  if (fields.at(-1) === '') fields.pop();
  const changes: RepoChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const code = fields[i] ?? '';
    const file = fields[i + 1] ?? '';
    const letter = code[0];
    const status =
      letter === 'A' ? 'A' : letter === 'D' ? 'D' : letter === 'M' || letter === 'T' ? 'M' : undefined;
    if (!status) {
      throw new MalformedEventError('cli', [
        `git diff: unexpected status "${code}" for ${file} (run with --no-renames)`,
      ]);
    }
    if (file.startsWith(prefix)) changes.push({ path: file.slice(prefix.length), status });
  }
  if (fields.length % 2 !== 0)
    throw new MalformedEventError('cli', ['git diff: output is not status/path pairs']);
  return changes;
};

/**
 * The `Deployment Completed` detail for a site and its changes; when it would exceed
 * EventBridge's size limit the changes are left out and the handler falls back to the site's
 * broad paths (it logs why).
 */
export const deployDetail = (
  site: Site,
  deployId: string,
  changes: readonly RepoChange[],
): { detail: DeployDetail; truncated: boolean } => {
  const detail: DeployDetail = { site: site.name, deployId, changes: [...changes] };
  if (Buffer.byteLength(JSON.stringify(detail)) <= MAX_DETAIL_BYTES) return { detail, truncated: false };
  return { detail: { site: site.name, deployId }, truncated: true };
};
