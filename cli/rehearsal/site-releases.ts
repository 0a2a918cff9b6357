import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { S3ObjectsPort } from '../../shared/aws/s3-objects.ts';
import { DEMO } from './demo-account.ts';
import { diffReleases, docsRelease, type Files, webRelease } from './site-content.ts';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '..', 'shipyard.mjs');

const contentType = (path: string) =>
  path.endsWith('.html') ? 'text/html' : path.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream';

/** Publishes a release the way `aws s3 sync --delete` would: uploads changed files, deletes removed ones. */
const publish = async (s3: S3ObjectsPort, bucket: string, prefix: string, before: Files, after: Files) => {
  const { upload, remove } = diffReleases(before, after);
  for (const [path, body] of Object.entries(upload))
    await s3.put(bucket, `${prefix}${path}`, body, contentType(path));
  for (const path of remove) await s3.delete(bucket, `${prefix}${path}`);
  return { uploaded: Object.keys(upload).length, removed: remove.length };
};

/** web: any deploy tool writes to the bucket; the bucket's S3 events reach Shipyard through SQS. */
export const releaseWebThroughS3Events = async (s3: S3ObjectsPort) => {
  const { bucket, prefix } = DEMO.sites.web;
  return publish(s3, bucket, prefix, webRelease(1), webRelease(2));
};

const git = (cwd: string, ...args: string[]) =>
  run('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Shipyard demo',
      GIT_AUTHOR_EMAIL: 'demo@example.com',
      GIT_COMMITTER_NAME: 'Shipyard demo',
      GIT_COMMITTER_EMAIL: 'demo@example.com',
    },
  });

const writeTree = async (root: string, files: Files) => {
  await rm(join(root, 'public'), { recursive: true, force: true });
  for (const [path, body] of Object.entries(files)) {
    const file = join(root, 'public', path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, body);
  }
};

/**
 * docs: a git repository with two commits; CI uploads the new release and then runs
 * `shipyard notify-deploy --from <old> --to <new>` (spawned exactly as a CI step would).
 */
export const releaseDocsThroughGit = async (
  s3: S3ObjectsPort,
  cli: { endpoint: string; configFile: string },
) => {
  const repo = await mkdtemp(join(tmpdir(), 'shipyard-docs-repo-'));
  try {
    await git(repo, 'init', '--quiet', '--initial-branch=main');
    await git(repo, 'config', 'core.quotePath', 'false');
    await writeTree(repo, docsRelease(1));
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '--quiet', '-m', 'docs v1');
    const from = (await git(repo, 'rev-parse', 'HEAD')).stdout.trim();
    await writeTree(repo, docsRelease(2));
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '--quiet', '-m', 'docs v2: regenerated API reference, new guide pages');
    const to = (await git(repo, 'rev-parse', 'HEAD')).stdout.trim();

    const { bucket, prefix } = DEMO.sites.docs;
    const published = await publish(s3, bucket, prefix, docsRelease(1), docsRelease(2));
    const { stdout } = await run(
      process.execPath,
      [
        CLI,
        '--endpoint',
        cli.endpoint,
        '--config',
        cli.configFile,
        '--json',
        'notify-deploy',
        '--site',
        'docs',
        '--from',
        from,
        '--to',
        to,
        '--repo-dir',
        repo,
      ],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_REGION: 'us-east-1',
        },
      },
    );
    return { ...published, from, to, notify: JSON.parse(stdout) as unknown };
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
};
