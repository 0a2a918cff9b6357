import { SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_WEBHOOK_BODY_BYTES, makeHandler } from '../../../functions/github-webhook/handler.ts';
import { createSecretsAdapter } from '../../../shared/aws/secrets.ts';
import { signedBodyDigest } from '../../../shared/invalidation-service/github.ts';
import { githubSignature } from '../../../shared/invalidation-service/github-signature.ts';
import { RecentIds } from '../../../shared/invalidation-service/recent.ts';
import {
  createInvalidationCalls,
  invalidationsOf,
  makeDeps,
  pathsBilled,
  seedDistributions,
  WEB_DIST,
  WEB_DIST_2,
} from './harness.ts';

const local = useLocalCloud();
const SECRET = 'It’s a Secret to Everybody';
const AFTER = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

const pushPayload = (overrides: Record<string, unknown> = {}) => ({
  ref: 'refs/heads/main',
  before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  after: AFTER,
  forced: false,
  repository: { full_name: 'acme/web' },
  commits: [
    { id: AFTER, added: ['public/new.html'], removed: [], modified: ['public/docs/index.html', 'README.md'] },
  ],
  ...overrides,
});

const request = (
  body: string,
  options: { event?: string; delivery?: string; signature?: string | null; base64?: boolean } = {},
) => ({
  version: '2.0',
  rawPath: '/',
  headers: {
    'content-type': 'application/json',
    'x-github-event': options.event ?? 'push',
    'x-github-delivery': options.delivery ?? DELIVERY,
    ...(options.signature === null
      ? {}
      : { 'x-hub-signature-256': options.signature ?? githubSignature(body, SECRET) }),
  },
  body: options.base64 ? Buffer.from(body).toString('base64') : body,
  isBase64Encoded: options.base64 ?? false,
  requestContext: { http: { method: 'POST' } },
});

const prepare = async (options: { seedSecret?: boolean } = {}) => {
  await seedDistributions(local());
  if (options.seedSecret ?? true) {
    await local().control.seed({
      ssm: { parameters: [{ name: '/shipyard/github-webhook', value: SECRET, type: 'SecureString' }] },
    });
  }
  const base = await makeDeps(local());
  const deps = {
    ...base,
    secrets: createSecretsAdapter({
      ssmClient: new SSMClient({ ...clientConfig(local().url), maxAttempts: 1 }),
    }),
    recentRequests: new RecentIds(),
  };
  return { deps, handler: makeHandler(deps) };
};

const secretReads = async () =>
  (await local().control.counters()).calls
    .filter((c) => c.service === 'ssm')
    .reduce((n, c) => n + c.count, 0);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('github-webhook (Function URL)', () => {
  it('verifies the signature and invalidates the pushed files on every distribution of the site', async () => {
    // Prepare
    const { handler } = await prepare();
    const body = JSON.stringify(pushPayload());
    // Act
    const response = await handler(request(body));
    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      deploys: [{ site: 'web', deployId: `${AFTER}@${signedBodyDigest(Buffer.from(body))}`, pathsBilled: 8 }],
    });
    for (const id of [WEB_DIST, WEB_DIST_2]) {
      const [invalidation] = await invalidationsOf(local(), id);
      expect(invalidation?.paths.map((p) => p.path).sort()).toEqual([
        '/docs',
        '/docs/',
        '/docs/index.html',
        '/new.html',
      ]);
    }
  });

  it('accepts a base64-encoded Function URL body (the signature covers the decoded bytes)', async () => {
    const { handler } = await prepare();
    const response = await handler(request(JSON.stringify(pushPayload()), { base64: true }));
    expect(response.statusCode).toBe(200);
    expect(await invalidationsOf(local(), WEB_DIST)).toHaveLength(1);
  });

  it.each([
    ['a wrong signature', { signature: githubSignature('{}', SECRET) }],
    [
      'a signature made with another secret',
      { signature: githubSignature(JSON.stringify(pushPayload()), 'guess') },
    ],
    ['no signature', { signature: null }],
    ['a malformed signature header', { signature: 'sha256=zz' }],
  ])('answers 401 to %s and does nothing else', async (_name, options) => {
    // Prepare
    const { handler } = await prepare();
    // Act
    const response = await handler(request(JSON.stringify(pushPayload()), options));
    // Assess
    expect(response).toMatchObject({
      statusCode: 401,
      body: JSON.stringify({ message: 'invalid signature' }),
    });
    const counters = await local().control.counters();
    expect(counters.calls.filter((c) => c.service === 'cloudfront')).toEqual([]);
    expect(await pathsBilled(local())).toBe(0);
  });

  it('does not even read the secret when the signature header is missing', async () => {
    const { handler } = await prepare();
    await handler(request('{}', { signature: null }));
    expect(await secretReads()).toBe(0);
  });

  it('reads the SecureString once per container, not once per delivery', async () => {
    const { handler } = await prepare();
    await handler(request(JSON.stringify(pushPayload()), { delivery: 'd-1' }));
    await handler(request(JSON.stringify(pushPayload({ after: 'b'.repeat(40) })), { delivery: 'd-2' }));
    expect(await secretReads()).toBe(1);
  });

  it('answers 500 without invalidating when the secret cannot be read', async () => {
    const { handler } = await prepare({ seedSecret: false });
    const response = await handler(request(JSON.stringify(pushPayload())));
    expect(response).toMatchObject({
      statusCode: 500,
      body: JSON.stringify({ message: 'webhook secret unavailable' }),
    });
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('answers a ping with 200 and invalidates nothing', async () => {
    const { handler } = await prepare();
    const response = await handler(
      request(JSON.stringify({ zen: 'Design for failure.', hook_id: 1 }), { event: 'ping' }),
    );
    expect(response.statusCode).toBe(200);
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('answers 413 to an oversized body before anything else', async () => {
    const { handler } = await prepare();
    const response = await handler(request('x'.repeat(MAX_WEBHOOK_BODY_BYTES + 1)));
    expect(response.statusCode).toBe(413);
    expect(await secretReads()).toBe(0);
  });

  it('answers 400 with the field at fault to a signed but malformed push, creating nothing', async () => {
    const { handler } = await prepare();
    const response = await handler(request(JSON.stringify({ ref: 'refs/heads/main', after: AFTER })));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).message).toBe(
      'malformed github event: body.before: Invalid input: expected string, received undefined; body.repository: Invalid input: expected object, received undefined',
    );
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('dedupes a redelivery by its signed body, and a cold container bills nothing twice either', async () => {
    // Prepare
    const { handler, deps } = await prepare();
    const body = JSON.stringify(pushPayload());
    await handler(request(body));
    const coldStart = makeHandler({ ...deps, recentRequests: new RecentIds() });
    // Act
    const warm = await handler(request(body));
    const cold = await coldStart(request(body));
    // Assess
    expect(JSON.parse(warm.body)).toMatchObject({ message: 'duplicate delivery' });
    expect(JSON.parse(cold.body)).toMatchObject({ deploys: [{ site: 'web', pathsBilled: 0 }] });
    expect(await pathsBilled(local())).toBe(8);
  });

  it('bills 0 new paths for a captured signed request replayed 30 times with new delivery ids', async () => {
    // Prepare: one real push, then an attacker replays its exact bytes and signature
    const { handler, deps } = await prepare();
    const body = JSON.stringify(pushPayload());
    await handler(request(body, { delivery: 'd-original' }));
    const billedBefore = await pathsBilled(local());
    // Act: each replay on a cold container (no in-memory dedupe) with a fresh delivery id
    const replies = [];
    for (let i = 0; i < 30; i++) {
      const cold = makeHandler({ ...deps, recentRequests: new RecentIds() });
      replies.push(await cold(request(body, { delivery: `replayed-${i}` })));
    }
    // Assess: CloudFront returned the existing invalidations (same CallerReferences): nothing billed
    expect(billedBefore).toBe(8);
    expect(await pathsBilled(local())).toBe(8);
    for (const reply of replies)
      expect(JSON.parse(reply.body)).toMatchObject({ deploys: [{ site: 'web', pathsBilled: 0 }] });
    expect(await invalidationsOf(local(), WEB_DIST)).toHaveLength(1);
  });

  it('invalidates a commit pushed again after a rollback: a new push (new pushed_at) is a new release', async () => {
    // Prepare: release AFTER, roll back to BEFORE (forced push, broad paths), then push AFTER again.
    // GitHub's payload carries the push time, so the roll-forward push is a new signed body.
    const { handler, deps } = await prepare();
    const repository = (pushedAt: number) => ({ full_name: 'acme/web', pushed_at: pushedAt });
    const release = JSON.stringify(pushPayload({ repository: repository(1_767_225_600) }));
    await handler(request(release, { delivery: 'd-release' }));
    await local().control.advance({ minutes: 10 });
    const rollback = pushPayload({
      before: AFTER,
      after: pushPayload().before,
      forced: true,
      commits: [],
      repository: repository(1_767_226_200),
    });
    await handler(request(JSON.stringify(rollback), { delivery: 'd-rollback' }));
    await local().control.advance({ minutes: 10 });
    const rollForward = JSON.stringify(pushPayload({ repository: repository(1_767_226_800) }));
    // Act: the roll-forward push; then GitHub redelivers that event to a cold container
    const again = await handler(request(rollForward, { delivery: 'd-roll-forward' }));
    const coldStart = makeHandler({ ...deps, recentRequests: new RecentIds() });
    const redelivered = await coldStart(request(rollForward, { delivery: 'd-roll-forward' }));
    // Assess: the objects cached during the rollback are dropped again, and only once
    expect(JSON.parse(again.body)).toMatchObject({ deploys: [{ site: 'web', pathsBilled: 8 }] });
    expect(JSON.parse(redelivered.body)).toMatchObject({ deploys: [{ site: 'web', pathsBilled: 0 }] });
    const paths = (await invalidationsOf(local(), WEB_DIST)).map((i) => i.paths.map((p) => p.path).sort());
    expect(paths).toEqual([
      ['/docs', '/docs/', '/docs/index.html', '/new.html'],
      ['/*'],
      ['/docs', '/docs/', '/docs/index.html', '/new.html'],
    ]);
  });

  it("falls back to the site's broad paths for a truncated push, and logs why", async () => {
    // Prepare
    const { handler } = await prepare();
    const commits = Array.from({ length: 20 }, (_, i) => ({
      id: `c${i}`,
      added: [],
      removed: [],
      modified: ['public/a.html'],
    }));
    // Act
    const response = await handler(request(JSON.stringify(pushPayload({ commits }))));
    // Assess
    expect(response.statusCode).toBe(200);
    const [invalidation] = await invalidationsOf(local(), WEB_DIST);
    expect(invalidation?.paths.map((p) => p.path)).toEqual(['/*']);
  });

  it('ignores pushes to other branches', async () => {
    const { handler } = await prepare();
    const response = await handler(request(JSON.stringify(pushPayload({ ref: 'refs/heads/feature' }))));
    expect(JSON.parse(response.body)).toMatchObject({
      deploys: [],
      skipped: [{ site: 'web', reason: 'pushed to feature, the site follows main' }],
    });
    expect(await createInvalidationCalls(local())).toBe(0);
  });

  it('never logs the secret, the signature or the body', async () => {
    // Prepare
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const { handler } = await prepare();
    const body = JSON.stringify(pushPayload());
    // Act
    await handler(request(body, { signature: githubSignature(body, 'wrong') }));
    await handler(request(body));
    // Assess
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const logs = written.join('');
    expect(logs).toContain('invalidation summary');
    expect(logs).toContain('webhook rejected: missing or invalid X-Hub-Signature-256');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(githubSignature(body, SECRET));
    expect(logs).not.toContain('"commits"');
  });
});
