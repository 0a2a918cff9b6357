import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Site } from '../config/sites.ts';
import type { ObjectChange } from '../invalidation/index.ts';
import { broadChangeSet, type ChangeSet, folderPrefix, mergeChanges } from './change-set.ts';
import { firstPushReason, isZeroSha } from './commits.ts';
import { MalformedEventError } from './errors.ts';
import { formatIssues } from './issues.ts';

/** GitHub lists at most 20 commits in a push payload; a push of 20 may have been cut short. */
export const MAX_LISTED_COMMITS = 20;

const CommitSchema = z.object({
  id: z.string().min(1),
  added: z.array(z.string()).optional(),
  removed: z.array(z.string()).optional(),
  modified: z.array(z.string()).optional(),
});

const PushPayloadSchema = z.object({
  ref: z.string().min(1),
  before: z.string().min(1),
  after: z.string().min(1),
  deleted: z.boolean().optional(),
  forced: z.boolean().optional(),
  repository: z.object({ full_name: z.string().min(1) }),
  commits: z.array(CommitSchema).default([]),
});
export type PushPayload = z.infer<typeof PushPayloadSchema>;

/**
 * The push payload from the raw body: JSON, or the `payload` field of a form-encoded body
 * (GitHub's other content type).
 */
export const parsePushPayload = (raw: Buffer, contentType: string | undefined): PushPayload => {
  let text = raw.toString('utf8');
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MalformedEventError('github', ['body: not JSON'], { cause: error });
  }
  const parsed = PushPayloadSchema.safeParse(json);
  if (!parsed.success) throw new MalformedEventError('github', formatIssues(parsed.error, 'body'));
  return parsed.data;
};

export interface PushOutcome {
  changeSets: ChangeSet[];
  /** Sites (or the whole push) left alone, and why. */
  skipped: { site?: string; reason: string }[];
}

/** Why the commit list cannot be trusted to describe the change, or undefined when it can. */
const truncationReason = (push: PushPayload): string | undefined => {
  // A new branch has no `before` to diff against: GitHub lists only the commits new to the
  // repository (often none), not what the site now serves compared with its last release.
  const firstPush = firstPushReason(push.before);
  if (firstPush) return firstPush;
  if (push.forced) return 'forced push: the listed commits do not describe what changed';
  if (push.commits.length >= MAX_LISTED_COMMITS) {
    return `the push lists ${push.commits.length} commits, GitHub's maximum: the list may be truncated`;
  }
  const bare = push.commits.find((c) => !c.added || !c.removed || !c.modified);
  if (bare) return `commit ${bare.id} has no file lists`;
  return undefined;
};

const changesFor = (push: PushPayload, site: Site): ObjectChange[] => {
  const repoPrefix = folderPrefix(site.repo?.pathPrefix ?? '');
  const ordered: ObjectChange[] = [];
  const add = (files: readonly string[] | undefined, change: ObjectChange['change']) => {
    for (const file of files ?? []) {
      if (file.startsWith(repoPrefix))
        ordered.push({ key: `${site.keyPrefix}${file.slice(repoPrefix.length)}`, change });
    }
  };
  for (const commit of push.commits) {
    add(commit.added, 'added');
    add(commit.modified, 'modified');
    add(commit.removed, 'deleted');
  }
  return mergeChanges(ordered);
};

/** Hex digits of the signed body's SHA-256 kept in the deploy id. */
const BODY_DIGEST_LENGTH = 16;

/**
 * The deploy id of a push: the pushed commit plus a digest of the signed body. Only signed
 * content goes in: `X-GitHub-Delivery` is not covered by the signature, so a captured request
 * replayed with new delivery ids keeps its deploy id, hence its CallerReferences, and bills
 * nothing (CloudFront returns the existing invalidation). A real new push of the same commit
 * (a roll-forward after a rollback) is a new body — GitHub's payload carries the push time
 * (`repository.pushed_at`) and the `before` commit — so it is a new release and invalidates again.
 *
 * @example
 * pushDeployId({ after: '9fceb02…', … }, Buffer.from(body)); // '9fceb02…@3f1c0a7d9e2b4c5a'
 */
const pushDeployId = (push: PushPayload, signedBody: Buffer): string =>
  `${push.after}@${signedBodyDigest(signedBody)}`;

/** A short digest of the signed body: names one webhook request whatever its (unsigned) delivery id. */
export const signedBodyDigest = (signedBody: Buffer): string =>
  createHash('sha256').update(signedBody).digest('hex').slice(0, BODY_DIGEST_LENGTH);

/**
 * A verified push → one change set per site that follows this repository and branch. The
 * deploy id comes from the signed content only (see `pushDeployId`), so a redelivered or
 * replayed webhook yields the same CallerReferences. A possibly truncated push falls back to
 * the site's broad paths.
 *
 * @example
 * pushToChangeSets({ ref: 'refs/heads/main', after: '9fceb02', repository: { full_name: 'acme/web' },
 *   commits: [{ id: '9fceb02', added: [], removed: [], modified: ['site/index.html'] }], … }, sites, body)
 * // { changeSets: [{ site: 'web', deployId: '9fceb02@<body digest>', changes: [{ key: 'index.html', change: 'modified' }], … }], skipped: [] }
 */
export const pushToChangeSets = (
  push: PushPayload,
  sites: readonly Site[],
  signedBody: Buffer,
): PushOutcome => {
  const outcome: PushOutcome = { changeSets: [], skipped: [] };
  const deployId = pushDeployId(push, signedBody);
  const branch = push.ref.startsWith('refs/heads/') ? push.ref.slice('refs/heads/'.length) : undefined;
  if (branch === undefined) return { ...outcome, skipped: [{ reason: `${push.ref} is not a branch` }] };
  if (push.deleted || isZeroSha(push.after)) {
    return { ...outcome, skipped: [{ reason: `branch ${branch} was deleted` }] };
  }
  const repo = push.repository.full_name.toLowerCase();
  const following = sites.filter((s) => s.repo?.fullName.toLowerCase() === repo);
  if (following.length === 0)
    return { ...outcome, skipped: [{ reason: `no site follows ${push.repository.full_name}` }] };
  const truncated = truncationReason(push);
  for (const site of following) {
    if (site.repo?.branch !== branch) {
      outcome.skipped.push({
        site: site.name,
        reason: `pushed to ${branch}, the site follows ${site.repo?.branch}`,
      });
      continue;
    }
    if (truncated) {
      outcome.changeSets.push(broadChangeSet(site, deployId, 'github', truncated));
      continue;
    }
    const changes = changesFor(push, site);
    if (changes.length === 0) {
      outcome.skipped.push({ site: site.name, reason: `no changed file under "${site.repo.pathPrefix}"` });
      continue;
    }
    outcome.changeSets.push({ site: site.name, deployId, source: 'github', changes, paths: [] });
  }
  return outcome;
};
