import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

/** The rules of AWS-FACTS "CloudFront invalidations", each against the local cloud over HTTP. */

const INVALIDATION_MS = 120_000;
const local = useLocalCloud({ clock: { speed: 0 }, durations: { invalidationMs: INVALIDATION_MS } });

interface Seeded {
  cloudfront: { distributions: { id: string; domainName: string }[] };
}

const setup = async (count = 1) => {
  const { control, url } = local();
  const seeded = await control.seed<Seeded>({
    cloudfront: {
      distributions: Array.from({ length: count }, (_, i) => ({
        comment: `site ${i}`,
        origins: [{ id: 'site', domainName: 'site.s3.amazonaws.com' }],
      })),
    },
  });
  const cf = new CloudFrontClient(clientConfig(url));
  const ids = seeded.cloudfront.distributions.map((d) => d.id);
  return { cf, control, id: ids[0] ?? '', ids };
};

const invalidate = (cf: CloudFrontClient, id: string, paths: string[], ref = `ref-${paths.join(',')}`) =>
  cf.send(
    new CreateInvalidationCommand({
      DistributionId: id,
      InvalidationBatch: { CallerReference: ref, Paths: { Quantity: paths.length, Items: paths } },
    }),
  );

const files = (n: number, prefix = '/f') => Array.from({ length: n }, (_, i) => `${prefix}${i}.html`);
const wildcards = (n: number) => Array.from({ length: n }, (_, i) => `/dir${i}/*`);

interface CloudFrontDump {
  cloudfront: {
    distributions: {
      id: string;
      invalidations: {
        id: string;
        status: string;
        paths: { path: string; kind: string; matchesNothing: boolean }[];
      }[];
    }[];
    billing: { pathsBilled: number; estimatedCostUsd: number; months: { chargedPaths: number }[] };
  };
}

describe('CloudFront CreateInvalidation (AWS-FACTS: CloudFront invalidations)', () => {
  it('answers 201 with a Location header and Invalidation{Id, Status, CreateTime, InvalidationBatch}', async () => {
    // Prepare
    const { cf, id } = await setup();
    // Act
    const out = await invalidate(cf, id, ['/index.html', '/docs/*'], 'deploy-1');
    // Assess
    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out.Invalidation?.Id).toMatch(/^I[A-Z0-9]{13}$/);
    expect(out.Location).toBe(
      `https://cloudfront.amazonaws.com/2020-05-31/distribution/${id}/invalidation/${out.Invalidation?.Id}`,
    );
    expect(out.Invalidation).toMatchObject({
      Status: 'InProgress',
      InvalidationBatch: {
        CallerReference: 'deploy-1',
        Paths: { Quantity: 2, Items: ['/index.html', '/docs/*'] },
      },
    });
    expect(out.Invalidation?.CreateTime).toBeInstanceOf(Date);
  });

  it('rejects Paths.Quantity different from the number of Items with InconsistentQuantities', async () => {
    const { cf, id } = await setup();
    const act = cf.send(
      new CreateInvalidationCommand({
        DistributionId: id,
        InvalidationBatch: { CallerReference: 'q', Paths: { Quantity: 3, Items: ['/a', '/b'] } },
      }),
    );
    await expect(act).rejects.toMatchObject({
      name: 'InconsistentQuantities',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('CallerReference is the idempotency key: same reference + same paths returns the existing invalidation, billed once', async () => {
    // Prepare
    const { cf, id, control } = await setup();
    const first = await invalidate(cf, id, ['/a.html', '/b.html'], 'deploy-42');
    // Act
    const retry = await invalidate(cf, id, ['/b.html', '/a.html'], 'deploy-42');
    // Assess
    expect(retry.Invalidation?.Id).toBe(first.Invalidation?.Id);
    expect(retry.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/a.html', '/b.html']);
    const { tallies } = await control.counters();
    expect(tallies['cloudfront.pathsBilled']).toBe(2);
    const state = await control.state<CloudFrontDump>();
    expect(state.cloudfront.distributions[0]?.invalidations).toHaveLength(1);
  });

  it('CallerReference reused with different paths → InvalidationBatchAlreadyExists', async () => {
    const { cf, id } = await setup();
    await invalidate(cf, id, ['/a.html'], 'deploy-7');
    await expect(invalidate(cf, id, ['/a.html', '/c.html'], 'deploy-7')).rejects.toMatchObject({
      name: 'InvalidationBatchAlreadyExists',
    });
  });

  it('the same CallerReference on another distribution is a new invalidation (the key is per distribution)', async () => {
    const { cf, ids } = await setup(2);
    const a = await invalidate(cf, ids[0] ?? '', ['/a.html'], 'shared-ref');
    const b = await invalidate(cf, ids[1] ?? '', ['/a.html'], 'shared-ref');
    expect(b.Invalidation?.Id).not.toBe(a.Invalidation?.Id);
  });

  it('limit of 3,000 in-progress file paths per distribution → TooManyInvalidationsInProgress (400, not retried), batch rejected whole', async () => {
    // Prepare
    const { cf, ids, control } = await setup(2);
    const [id = '', other = ''] = ids;
    await invalidate(cf, id, files(2_990), 'big');
    // Act
    const over = invalidate(cf, id, files(11, '/g'), 'over');
    // Assess
    await expect(over).rejects.toMatchObject({
      name: 'TooManyInvalidationsInProgress',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    await expect(invalidate(cf, id, files(10, '/g'), 'fits')).resolves.toBeDefined();
    await expect(invalidate(cf, other, files(11, '/g'), 'other-distribution')).resolves.toBeDefined();
    const state = await control.state<CloudFrontDump>();
    const paths = state.cloudfront.distributions[0]?.invalidations.flatMap((i) => i.paths) ?? [];
    expect(paths).toHaveLength(3_000);
    expect((await control.counters()).tallies['cloudfront.pathsBilled']).toBe(2_990 + 10 + 11);
  });

  it('limit of 15 in-progress wildcard paths is counted separately from file paths', async () => {
    // Prepare
    const { cf, id } = await setup();
    await invalidate(cf, id, wildcards(15), 'w15');
    // Act
    const sixteenth = invalidate(cf, id, ['/late/*'], 'w16');
    // Assess
    await expect(sixteenth).rejects.toMatchObject({ name: 'TooManyInvalidationsInProgress' });
    await expect(invalidate(cf, id, files(2_000), 'files-still-fit')).resolves.toBeDefined();
  });

  it("a file path ending in * (a query-string site's /a.html*) is a wildcard path: its limit, billed once", async () => {
    // CloudFront Developer Guide, "What you need to know when invalidating paths": a `*` as the
    // last character is a wildcard, and to drop the query variants of a file when the cache key
    // includes query strings, the path is `/file*` (AWS-FACTS "Paths"); "Concurrent invalidation
    // requests": wildcard paths are counted against the 15 wildcard paths in flight.
    // Prepare
    const { cf, id, control } = await setup();
    const fileForms = Array.from({ length: 15 }, (_, i) => `/p${i}.html*`);
    // Act
    await invalidate(cf, id, fileForms, 'qs15');
    // Assess
    const state = await control.state<CloudFrontDump>();
    const kinds = state.cloudfront.distributions[0]?.invalidations.flatMap((i) => i.paths.map((p) => p.kind));
    expect(kinds).toEqual(Array.from({ length: 15 }, () => 'wildcard'));
    expect((await control.counters()).tallies['cloudfront.pathsBilled']).toBe(15);
    await expect(invalidate(cf, id, ['/late.html*'], 'qs16')).rejects.toMatchObject({
      name: 'TooManyInvalidationsInProgress',
    });
    await expect(invalidate(cf, id, ['/late.html'], 'file-still-fits')).resolves.toBeDefined();
  });

  it('in-progress limits free up once invalidations complete (counted over InProgress only)', async () => {
    const { cf, id, control } = await setup();
    await invalidate(cf, id, wildcards(15), 'w15');
    await control.advance({ ms: INVALIDATION_MS });
    await expect(invalidate(cf, id, wildcards(15), 'w15-again')).resolves.toBeDefined();
  });

  it.each([
    ['must start with /', 'index.html'],
    // CloudFront Developer Guide, "What you need to know when invalidating files": no '~', encoded
    // or not (a mid-path '*' is a literal now, AWS-FACTS 2026-12, so it is no longer refused).
    ['no ~', '/~user/a.html'],
    ['no encoded ~', '/%7Euser/a.html'],
    ['at most 4,000 characters', `/${'a'.repeat(4_000)}`],
  ])('path rule "%s" → InvalidArgument', async (_rule, path) => {
    const { cf, id } = await setup();
    await expect(invalidate(cf, id, ['/ok.html', path])).rejects.toMatchObject({
      name: 'InvalidArgument',
      message: expect.stringContaining('Your request contains one or more invalid invalidation paths.'),
    });
  });

  it('accepts a path of exactly 4,000 characters and a trailing * wildcard', async () => {
    const { cf, id } = await setup();
    const out = await invalidate(cf, id, [`/${'a'.repeat(3_999)}`, '/images/*']);
    expect(out.Invalidation?.InvalidationBatch?.Paths?.Quantity).toBe(2);
  });

  it.each([' ', '~', '"', '<', '>', '#', '%', '{', '}', '|', '\\', '^', '[', ']', '`', 'é', '€'])(
    'under-encoding (unencoded %j, RFC 1738 unsafe or non-ASCII) → InvalidArgument',
    async (char) => {
      const { cf, id } = await setup();
      await expect(invalidate(cf, id, [`/a${char}b.html`])).rejects.toMatchObject({
        name: 'InvalidArgument',
      });
    },
  );

  it('encoding: uppercase %XX escapes of unsafe and non-ASCII characters are accepted and invalidate', async () => {
    const { cf, id, control } = await setup();
    await invalidate(cf, id, [
      '/a%20b.html',
      '/%E2%82%AC/price.html',
      '/100%25.html',
      "/$-_.+!'(),:@=&.html",
    ]);
    const state = await control.state<CloudFrontDump>();
    const paths = state.cloudfront.distributions[0]?.invalidations[0]?.paths ?? [];
    expect(paths.every((p) => !p.matchesNothing)).toBe(true);
  });

  it('over-encoding is accepted but invalidates nothing: recorded as matchesNothing and tallied', async () => {
    // Prepare
    const { cf, id, control } = await setup();
    // Act
    const out = await invalidate(cf, id, ['/docs%2Findex.html', '/%61bout.html', '/plain.html']);
    // Assess
    expect(out.$metadata.httpStatusCode).toBe(201);
    const state = await control.state<CloudFrontDump>();
    expect(state.cloudfront.distributions[0]?.invalidations[0]?.paths).toEqual([
      { path: '/docs%2Findex.html', kind: 'file', matchesNothing: true },
      { path: '/%61bout.html', kind: 'file', matchesNothing: true },
      { path: '/plain.html', kind: 'file', matchesNothing: false },
    ]);
    expect((await control.counters()).tallies['cloudfront.overEncodedPaths']).toBe(2);
  });

  it('items starting with # invalidate by cache tag, one billed path each', async () => {
    const { cf, id, control } = await setup();
    await invalidate(cf, id, ['#product-42', '#catalog', '/index.html']);
    const state = await control.state<CloudFrontDump>();
    expect(state.cloudfront.distributions[0]?.invalidations[0]?.paths.map((p) => p.kind)).toEqual([
      'tag',
      'tag',
      'file',
    ]);
    expect((await control.counters()).tallies['cloudfront.pathsBilled']).toBe(3);
  });

  it('status goes InProgress → Completed after the invalidation duration of simulated time', async () => {
    // Prepare
    const { cf, id, control } = await setup();
    const created = await invalidate(cf, id, ['/a.html']);
    const invalidationId = created.Invalidation?.Id ?? '';
    const get = () => cf.send(new GetInvalidationCommand({ DistributionId: id, Id: invalidationId }));
    // Act
    await control.advance({ ms: INVALIDATION_MS - 1 });
    const before = await get();
    await control.advance({ ms: 1 });
    const after = await get();
    // Assess
    expect(before.Invalidation?.Status).toBe('InProgress');
    expect(after.Invalidation?.Status).toBe('Completed');
    expect(after.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/a.html']);
  });

  it('ListInvalidations returns only {Id, CreateTime, Status} summaries, newest first, paged by Marker/MaxItems', async () => {
    // Prepare
    const { cf, id, control } = await setup();
    const created: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      created.push((await invalidate(cf, id, [`/p${n}.html`], `r${n}`)).Invalidation?.Id ?? '');
      await control.advance({ ms: 1_000 });
    }
    // Act
    const pages = [];
    let marker: string | undefined;
    do {
      const page = await cf.send(
        new ListInvalidationsCommand({ DistributionId: id, MaxItems: 2, Marker: marker }),
      );
      pages.push(page.InvalidationList);
      marker = page.InvalidationList?.NextMarker;
    } while (marker);
    // Assess
    expect(pages.map((p) => p?.Items?.map((i) => i.Id))).toEqual([
      [created[4], created[3]],
      [created[2], created[1]],
      [created[0]],
    ]);
    expect(pages.map((p) => [p?.Quantity, p?.IsTruncated, p?.MaxItems])).toEqual([
      [2, true, 2],
      [2, true, 2],
      [1, false, 2],
    ]);
    expect(Object.keys(pages[0]?.Items?.[0] ?? {}).sort()).toEqual(['CreateTime', 'Id', 'Status']);
  });

  it('unknown distribution → NoSuchDistribution (404); unknown invalidation → NoSuchInvalidation (404)', async () => {
    const { cf, id } = await setup();
    await expect(invalidate(cf, 'E0NOSUCHDIST00', ['/a'])).rejects.toMatchObject({
      name: 'NoSuchDistribution',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      cf.send(new GetInvalidationCommand({ DistributionId: id, Id: 'I0NOSUCHINV000' })),
    ).rejects.toMatchObject({
      name: 'NoSuchInvalidation',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('pricing: each path of a new batch is billed (wildcard = 1); the cost counts after 1,000 free paths a month at $0.005', async () => {
    // Prepare
    const { cf, id, control } = await setup();
    // Act
    await invalidate(cf, id, files(999), 'a');
    await control.advance({ ms: INVALIDATION_MS });
    await invalidate(cf, id, ['/x/*', '/y.html', '/z.html'], 'b');
    // Assess
    const state = await control.state<CloudFrontDump>();
    expect(state.cloudfront.billing.pathsBilled).toBe(1_002);
    expect(state.cloudfront.billing.months[0]?.chargedPaths).toBe(2);
    expect(state.cloudfront.billing.estimatedCostUsd).toBeCloseTo(0.01, 10);
    expect((await control.counters()).tallies['cloudfront.pathsBilled']).toBe(1_002);
  });

  it('answers a malformed or empty body with an AWS error code, never a 500', async () => {
    const { id } = await setup();
    const post = (body: string) =>
      fetch(`${local().url}/2020-05-31/distribution/${id}/invalidation`, { method: 'POST', body });
    const empty = await post('');
    const garbage = await post('<InvalidationBatch><Paths>');
    expect([empty.status, await empty.text()]).toEqual([
      400,
      expect.stringContaining('<Code>MissingBody</Code>'),
    ]);
    expect([garbage.status, await garbage.text()]).toEqual([
      400,
      expect.stringContaining('<Code>InvalidArgument</Code>'),
    ]);
  });
});
