import { describe, expect, it } from 'vitest';
import {
  MAX_LISTED_COMMITS,
  parsePushPayload,
  pushToChangeSets,
} from '../../../shared/invalidation-service/github.ts';
import {
  githubSignature,
  verifyGithubSignature,
} from '../../../shared/invalidation-service/github-signature.ts';
import { SITES } from './fixtures.ts';

const AFTER = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const push = (overrides: Record<string, unknown> = {}) => ({
  ref: 'refs/heads/main',
  before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  after: AFTER,
  repository: { full_name: 'acme/web' },
  commits: [
    { id: 'c1', added: ['public/new.html'], removed: [], modified: ['public/docs/index.html', 'README.md'] },
    { id: 'c2', added: [], removed: ['public/new.html', 'public/old.css'], modified: [] },
  ],
  ...overrides,
});
/** The change sets of a signed push body, as the webhook handler derives them. */
const changeSetsOf = (payload: unknown) => {
  const body = Buffer.from(JSON.stringify(payload));
  return pushToChangeSets(parsePushPayload(body, 'application/json'), SITES, body);
};

describe('verifyGithubSignature', () => {
  const body = Buffer.from('{"zen":"Keep it logically awesome."}');

  it('accepts the HMAC-SHA256 of the raw body and rejects anything else', () => {
    const good = githubSignature(body, 's3cret');
    expect(verifyGithubSignature(body, good, 's3cret')).toBe(true);
    expect(verifyGithubSignature(body, good, 'other')).toBe(false);
    expect(verifyGithubSignature(Buffer.from(`${body} `), good, 's3cret')).toBe(false);
    expect(verifyGithubSignature(body, undefined, 's3cret')).toBe(false);
    expect(verifyGithubSignature(body, good.replace('sha256=', 'sha1='), 's3cret')).toBe(false);
    expect(verifyGithubSignature(body, 'sha256=abc', 's3cret')).toBe(false);
  });
});

describe('pushToChangeSets', () => {
  it('maps repository files through pathPrefix and keyPrefix, netting out changes across commits', () => {
    // Act
    const outcome = changeSetsOf(push());
    // Assess
    expect(outcome.skipped).toEqual([]);
    expect(outcome.changeSets).toEqual([
      {
        site: 'web',
        deployId: expect.stringMatching(new RegExp(`^${AFTER}@[0-9a-f]{16}$`)),
        source: 'github',
        changes: [
          { key: 'site/docs/index.html', change: 'modified' },
          { key: 'site/new.html', change: 'deleted' },
          { key: 'site/old.css', change: 'deleted' },
        ],
        paths: [],
      },
    ]);
  });

  it('derives the deploy id from signed content only: the same body is the same deploy, another push time another', () => {
    // Prepare: GitHub's push payload carries the push time; a roll-forward push of the same commit has a new one
    const first = push({ repository: { full_name: 'acme/web', pushed_at: 1_767_225_600 } });
    const later = push({ repository: { full_name: 'acme/web', pushed_at: 1_767_229_200 } });
    // Act
    const [a] = changeSetsOf(first).changeSets;
    const [replayed] = changeSetsOf(first).changeSets;
    const [b] = changeSetsOf(later).changeSets;
    // Assess
    expect(a?.deployId).toMatch(new RegExp(`^${AFTER}@[0-9a-f]{16}$`));
    expect(replayed?.deployId).toBe(a?.deployId);
    expect(b?.deployId).not.toBe(a?.deployId);
  });

  it('honours the branch filter', () => {
    const outcome = changeSetsOf(push({ ref: 'refs/heads/feature' }));
    expect(outcome.changeSets).toEqual([]);
    expect(outcome.skipped).toEqual([{ site: 'web', reason: 'pushed to feature, the site follows main' }]);
  });

  it.each([
    [
      'twenty commits (GitHub lists no more)',
      {
        commits: Array.from({ length: MAX_LISTED_COMMITS }, (_, i) => ({
          id: `c${i}`,
          added: [],
          removed: [],
          modified: ['public/a.html'],
        })),
      },
      "the push lists 20 commits, GitHub's maximum: the list may be truncated",
    ],
    ['commits without file lists', { commits: [{ id: 'c9' }] }, 'commit c9 has no file lists'],
    ['a forced push', { forced: true }, 'forced push: the listed commits do not describe what changed'],
    [
      'the push that creates the branch (nothing to compare with; often no commits listed)',
      { before: '0'.repeat(40), created: true, commits: [] },
      'branch created: no previous commit to compare with',
    ],
  ])('falls back to the broad paths for %s, with the reason', (_name, overrides, reason) => {
    const outcome = changeSetsOf(push(overrides));
    expect(outcome.changeSets).toEqual([
      {
        site: 'web',
        deployId: expect.stringMatching(`${AFTER}@`),
        source: 'github',
        changes: [],
        paths: ['/*'],
        reason,
      },
    ]);
  });

  it('skips tags, branch deletions, other repositories and pushes touching nothing under pathPrefix', () => {
    expect(changeSetsOf(push({ ref: 'refs/tags/v1' })).skipped).toEqual([
      { reason: 'refs/tags/v1 is not a branch' },
    ]);
    expect(changeSetsOf(push({ deleted: true, after: '0'.repeat(40) })).skipped).toEqual([
      { reason: 'branch main was deleted' },
    ]);
    expect(changeSetsOf(push({ repository: { full_name: 'acme/api' } })).skipped).toEqual([
      { reason: 'no site follows acme/api' },
    ]);
    const readmeOnly = push({ commits: [{ id: 'c1', added: [], removed: [], modified: ['README.md'] }] });
    expect(changeSetsOf(readmeOnly).skipped).toEqual([
      { site: 'web', reason: 'no changed file under "public"' },
    ]);
  });
});

describe('parsePushPayload', () => {
  it('reads the payload field of a form-encoded body', () => {
    const form = Buffer.from(`payload=${encodeURIComponent(JSON.stringify(push()))}`);
    expect(parsePushPayload(form, 'application/x-www-form-urlencoded').after).toBe(AFTER);
  });

  it.each([
    ['not JSON', Buffer.from('{'), 'malformed github event: body: not JSON'],
    [
      'a payload without ref and repository',
      Buffer.from(JSON.stringify({ after: AFTER, before: AFTER })),
      'malformed github event: body.ref: Invalid input: expected string, received undefined; body.repository: Invalid input: expected object, received undefined',
    ],
    [
      'a commit whose file list is not a list',
      Buffer.from(JSON.stringify(push({ commits: [{ id: 'c1', added: 'a.html' }] }))),
      'malformed github event: body.commits[0].added: Invalid input: expected array, received string',
    ],
  ])('rejects %s, naming the field', (_name, body, message) => {
    expect(() => parsePushPayload(body, 'application/json')).toThrow(
      expect.objectContaining({ name: 'MalformedEventError', message }),
    );
  });
});
