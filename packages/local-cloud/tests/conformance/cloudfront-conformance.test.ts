import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetInvalidationCommand,
  ListDistributionsCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import type { ControlClient } from '../../src/control-client.ts';
import { botocoreEnv, clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

/**
 * Wire fidelity: one CloudFront scenario through the AWS SDK for JavaScript v3 and
 * through boto3 (botocore's independent REST-XML parser), each against a freshly reset
 * local cloud, must yield the same transcript: ids, statuses, pages and error codes.
 * The `aws` CLI commands operators type are checked against the JS SDK too.
 */

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./cloudfront_scenario.py', import.meta.url));
const INVALIDATION_MS = 60_000;
const DIST = 'E1SITE00000001';
const local = useLocalCloud({ clock: { speed: 0 }, durations: { invalidationMs: INVALIDATION_MS } });

const seedScenario = (control: ControlClient) =>
  control.seed({
    cloudfront: {
      distributions: [
        {
          id: DIST,
          comment: 'site',
          aliases: ['www.example.com'],
          defaultRootObject: 'index.html',
          origins: [{ id: 'site-bucket', domainName: 'site.s3.amazonaws.com', originPath: '/public' }],
        },
        { comment: 'docs', origins: [{ id: 'docs', domainName: 'docs.example.com' }] },
        { comment: 'api', origins: [{ id: 'api', domainName: 'api.example.com' }] },
      ],
    },
  });

const env = (url: string) =>
  botocoreEnv(url, { AWS_DEFAULT_REGION: 'us-east-1', INVALIDATION_MS: String(INVALIDATION_MS) });

const errorOf = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return { error: e.name, status: e.$metadata?.httpStatusCode };
};

const jsScenario = async (cf: CloudFrontClient, control: ControlClient) => {
  const invalidate = async (id: string, ref: string, paths: string[]) => {
    try {
      const out = await cf.send(
        new CreateInvalidationCommand({
          DistributionId: id,
          InvalidationBatch: { CallerReference: ref, Paths: { Quantity: paths.length, Items: paths } },
        }),
      );
      return {
        id: out.Invalidation?.Id,
        status: out.Invalidation?.Status,
        paths: out.Invalidation?.InvalidationBatch?.Paths?.Items,
        location: out.Location,
      };
    } catch (error) {
      return errorOf(error);
    }
  };
  const distributionPages = async () => {
    const pages = [];
    let marker = '';
    for (;;) {
      const out = (await cf.send(new ListDistributionsCommand({ MaxItems: 2, Marker: marker })))
        .DistributionList;
      pages.push({
        ids: (out?.Items ?? []).map((d) => d.Id),
        comments: (out?.Items ?? []).map((d) => d.Comment),
        truncated: out?.IsTruncated,
        quantity: out?.Quantity,
      });
      if (!out?.IsTruncated) return pages;
      marker = out.NextMarker ?? '';
    }
  };
  const invalidationPages = async () => {
    const pages = [];
    let marker = '';
    for (;;) {
      const out = (
        await cf.send(new ListInvalidationsCommand({ DistributionId: DIST, MaxItems: 2, Marker: marker }))
      ).InvalidationList;
      pages.push({
        items: (out?.Items ?? []).map((i) => [i.Id, i.Status, Object.keys(i).sort()]),
        truncated: out?.IsTruncated,
      });
      if (!out?.IsTruncated) return pages;
      marker = out.NextMarker ?? '';
    }
  };

  const transcript: Record<string, unknown> = {};
  const dist = await cf.send(new GetDistributionCommand({ Id: DIST }));
  const config = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
  transcript.distribution = {
    id: dist.Distribution?.Id,
    domain: dist.Distribution?.DomainName,
    origins: dist.Distribution?.DistributionConfig?.Origins?.Items?.map((o) => [
      o.Id,
      o.DomainName,
      o.OriginPath,
    ]),
    aliases: dist.Distribution?.DistributionConfig?.Aliases?.Items,
    etagMatchesConfig: dist.ETag === config.ETag,
  };
  transcript.distributionPages = await distributionPages();
  transcript.first = await invalidate(DIST, 'deploy-1', ['/index.html', '/docs/*']);
  transcript.retry = await invalidate(DIST, 'deploy-1', ['/index.html', '/docs/*']);
  transcript.conflict = await invalidate(DIST, 'deploy-1', ['/other.html']);
  transcript.badPath = await invalidate(DIST, 'deploy-bad', ['index.html']);
  transcript.underEncoded = await invalidate(DIST, 'deploy-space', ['/a b.html']);
  transcript.missing = await invalidate('E0NOSUCH000000', 'x', ['/a']);
  transcript.second = await invalidate(DIST, 'deploy-2', ['/a.html']);
  transcript.third = await invalidate(DIST, 'deploy-3', ['/b.html', '#tag']);
  transcript.wildcards = await invalidate(
    DIST,
    'deploy-w',
    Array.from({ length: 14 }, (_, i) => `/w${i}/*`),
  );
  transcript.overLimit = await invalidate(DIST, 'deploy-w2', ['/x/*']);
  transcript.inProgressPages = await invalidationPages();
  await control.advance({ ms: INVALIDATION_MS });
  transcript.completedPages = await invalidationPages();
  const firstId = (transcript.first as { id: string }).id;
  const got = (await cf.send(new GetInvalidationCommand({ DistributionId: DIST, Id: firstId }))).Invalidation;
  transcript.get = [
    got?.Status,
    got?.InvalidationBatch?.Paths?.Items,
    got?.InvalidationBatch?.CallerReference,
  ];
  transcript.getMissing = await cf
    .send(new GetInvalidationCommand({ DistributionId: DIST, Id: 'I0NOSUCH000000' }))
    .then(
      () => 'none',
      (error: unknown) => errorOf(error).error,
    );
  return transcript;
};

describe('CloudFront conformance: JS SDK v3, boto3 and the aws CLI agree', () => {
  it('the same scenario yields the same ids, statuses, pages and error codes through both SDKs', async () => {
    // Prepare
    const { control, url } = local();
    const cf = new CloudFrontClient({ ...clientConfig(url), maxAttempts: 1 });
    await seedScenario(control);
    // Act
    const js = await jsScenario(cf, control);
    await control.reset();
    await control.setDurations({ invalidationMs: INVALIDATION_MS });
    await seedScenario(control);
    const { stdout } = await run('python3', [SCRIPT], { env: env(url) });
    const python = JSON.parse(stdout) as Record<string, unknown>;
    // Assess
    expect(python).toEqual(js);
    expect(js.retry).toEqual(js.first);
    expect(js.conflict).toEqual({ error: 'InvalidationBatchAlreadyExists', status: 409 });
    expect(js.overLimit).toEqual({ error: 'TooManyInvalidationsInProgress', status: 400 });
    expect(js.completedPages).toEqual([
      { items: expect.arrayContaining([expect.arrayContaining(['Completed'])]), truncated: true },
      expect.anything(),
    ]);
  });

  it('`aws cloudfront list-distributions` (paging by Marker, --page-size 2) lists what the JS SDK lists', async () => {
    const { control, url } = local();
    await seedScenario(control);
    const cf = new CloudFrontClient(clientConfig(url));
    const js = (await cf.send(new ListDistributionsCommand({}))).DistributionList;
    const { stdout } = await run(
      'aws',
      ['cloudfront', 'list-distributions', '--page-size', '2', '--output', 'json'],
      { env: env(url) },
    );
    const cli = JSON.parse(stdout).DistributionList;
    const view = (items: { Id?: string; Status?: string; DomainName?: string; Comment?: string }[]) =>
      items.map((d) => [d.Id, d.Status, d.DomainName, d.Comment]);
    expect(view(cli.Items)).toEqual(view(js?.Items ?? []));
    expect(cli.Items).toHaveLength(3);
  });

  it('`aws cloudfront create-invalidation` creates the same invalidation as the JS SDK after a reset', async () => {
    // Prepare
    const { control, url } = local();
    await seedScenario(control);
    const cf = new CloudFrontClient(clientConfig(url));
    const js = await cf.send(
      new CreateInvalidationCommand({
        DistributionId: DIST,
        InvalidationBatch: {
          CallerReference: 'cli-1',
          Paths: { Quantity: 2, Items: ['/index.html', '/css/*'] },
        },
      }),
    );
    await control.reset();
    await seedScenario(control);
    // Act
    const batch = JSON.stringify({
      CallerReference: 'cli-1',
      Paths: { Quantity: 2, Items: ['/index.html', '/css/*'] },
    });
    const { stdout } = await run(
      'aws',
      [
        'cloudfront',
        'create-invalidation',
        '--distribution-id',
        DIST,
        '--invalidation-batch',
        batch,
        '--output',
        'json',
      ],
      { env: env(url) },
    );
    // Assess
    const cli = JSON.parse(stdout);
    expect(cli.Location).toBe(js.Location);
    expect([
      cli.Invalidation.Id,
      cli.Invalidation.Status,
      cli.Invalidation.InvalidationBatch.Paths.Items,
    ]).toEqual([
      js.Invalidation?.Id,
      js.Invalidation?.Status,
      js.Invalidation?.InvalidationBatch?.Paths?.Items,
    ]);
  });
});
