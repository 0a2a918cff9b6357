import {
  CloudFrontClient,
  CreateDistributionCommand,
  CreateInvalidationCommand,
  type DistributionConfig,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  ListDistributionsCommand,
} from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

interface Seeded {
  cloudfront: { distributions: { id: string; domainName: string }[] };
}

const client = () => new CloudFrontClient({ ...clientConfig(local().url, 'eu-west-1'), maxAttempts: 1 });

const config = (callerReference: string, comment = 'docs site'): DistributionConfig => ({
  CallerReference: callerReference,
  Comment: comment,
  Enabled: true,
  DefaultRootObject: 'index.html',
  Aliases: { Quantity: 1, Items: ['docs.example.com'] },
  Origins: {
    Quantity: 1,
    Items: [
      {
        Id: 'docs-bucket',
        DomainName: 'docs.s3.eu-west-1.amazonaws.com',
        OriginPath: '/site',
        S3OriginConfig: { OriginAccessIdentity: '' },
      },
    ],
  },
  DefaultCacheBehavior: { TargetOriginId: 'docs-bucket', ViewerProtocolPolicy: 'redirect-to-https' },
});

describe('CloudFront distributions (REST-XML, global API)', () => {
  it('seeds a distribution and serves it through GetDistribution and GetDistributionConfig with the same ETag', async () => {
    // Prepare
    const seeded = await local().control.seed<Seeded>({
      cloudfront: {
        distributions: [
          {
            id: 'E2QWRUHAPOMQZL',
            comment: 'marketing',
            aliases: ['www.example.com'],
            defaultRootObject: 'index.html',
            origins: [{ id: 'web', domainName: 'web.s3.amazonaws.com', originPath: '/site' }],
          },
        ],
      },
    });
    const cf = client();
    // Act
    const got = await cf.send(new GetDistributionCommand({ Id: 'E2QWRUHAPOMQZL' }));
    const cfg = await cf.send(new GetDistributionConfigCommand({ Id: 'E2QWRUHAPOMQZL' }));
    // Assess
    expect(seeded.cloudfront.distributions).toEqual([
      { id: 'E2QWRUHAPOMQZL', domainName: 'd2qwruhapomqzl.cloudfront.net' },
    ]);
    expect(got.Distribution).toMatchObject({
      Id: 'E2QWRUHAPOMQZL',
      ARN: 'arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL',
      Status: 'Deployed',
      DomainName: 'd2qwruhapomqzl.cloudfront.net',
      InProgressInvalidationBatches: 0,
    });
    expect(cfg.DistributionConfig).toMatchObject({
      Comment: 'marketing',
      DefaultRootObject: 'index.html',
      Enabled: true,
      Aliases: { Quantity: 1, Items: ['www.example.com'] },
      Origins: {
        Quantity: 1,
        Items: [{ Id: 'web', DomainName: 'web.s3.amazonaws.com', OriginPath: '/site' }],
      },
    });
    expect(cfg.ETag).toMatch(/^E[A-Z0-9]+$/);
    expect(cfg.ETag).toBe(got.ETag);
  });

  it('counts InProgressInvalidationBatches from the invalidations still in progress', async () => {
    const seeded = await local().control.seed<Seeded>({
      cloudfront: { distributions: [{ origins: [{ id: 'o', domainName: 'o.example.com' }] }] },
    });
    const id = seeded.cloudfront.distributions[0]?.id ?? '';
    const cf = client();
    await cf.send(
      new CreateInvalidationCommand({
        DistributionId: id,
        InvalidationBatch: { CallerReference: 'x', Paths: { Quantity: 1, Items: ['/x'] } },
      }),
    );
    const got = await cf.send(new GetDistributionCommand({ Id: id }));
    expect(got.Distribution?.InProgressInvalidationBatches).toBe(1);
  });

  it('ListDistributions pages with Marker/MaxItems and never repeats a distribution', async () => {
    // Prepare
    await local().control.seed({
      cloudfront: {
        distributions: Array.from({ length: 5 }, (_, i) => ({
          comment: `d${i}`,
          origins: [{ id: 'o', domainName: `o${i}.example.com` }],
        })),
      },
    });
    const cf = client();
    // Act
    const pages = [];
    let marker: string | undefined;
    do {
      const out = await cf.send(new ListDistributionsCommand({ MaxItems: 2, Marker: marker }));
      pages.push(out.DistributionList);
      marker = out.DistributionList?.NextMarker;
    } while (marker);
    // Assess
    expect(pages.map((p) => p?.Items?.map((d) => d.Comment))).toEqual([['d0', 'd1'], ['d2', 'd3'], ['d4']]);
    expect(pages.map((p) => p?.IsTruncated)).toEqual([true, true, false]);
    expect(pages[0]?.Items?.[0]).toMatchObject({
      Status: 'Deployed',
      Enabled: true,
      Origins: { Quantity: 1 },
    });
  });

  it('CreateDistribution answers 201 with Location and ETag; same CallerReference + same config returns it again', async () => {
    // Prepare
    const cf = client();
    // Act
    const first = await cf.send(new CreateDistributionCommand({ DistributionConfig: config('docs-v1') }));
    const again = await cf.send(new CreateDistributionCommand({ DistributionConfig: config('docs-v1') }));
    // Assess
    const id = first.Distribution?.Id ?? '';
    expect(first.$metadata.httpStatusCode).toBe(201);
    expect(first.Location).toBe(`https://cloudfront.amazonaws.com/2020-05-31/distribution/${id}`);
    expect(first.ETag).toMatch(/^E[A-Z0-9]+$/);
    expect(again.Distribution?.Id).toBe(id);
    const cfg = await cf.send(new GetDistributionConfigCommand({ Id: id }));
    expect(cfg.DistributionConfig?.Origins?.Items?.[0]?.OriginPath).toBe('/site');
  });

  it('CreateDistribution with a used CallerReference and another config → DistributionAlreadyExists (409)', async () => {
    const cf = client();
    await cf.send(new CreateDistributionCommand({ DistributionConfig: config('docs-v1') }));
    await expect(
      cf.send(new CreateDistributionCommand({ DistributionConfig: config('docs-v1', 'changed') })),
    ).rejects.toMatchObject({ name: 'DistributionAlreadyExists', $metadata: { httpStatusCode: 409 } });
  });

  it('GetDistribution of an unknown id → NoSuchDistribution (404)', async () => {
    await expect(client().send(new GetDistributionCommand({ Id: 'E0000000NOSUCH' }))).rejects.toMatchObject({
      name: 'NoSuchDistribution',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('rejects a seed with an unknown key or no origin, naming the problem', async () => {
    const { control } = local();
    await expect(
      control.seed({
        cloudfront: { distributions: [{ origins: [{ id: 'o', domainName: 'x' }], colour: 'red' }] },
      }),
    ).rejects.toThrow(/colour/);
    await expect(control.seed({ cloudfront: { distributions: [{ origins: [] }] } })).rejects.toThrow(
      /at least one origin/,
    );
  });

  it('dumps distributions with their invalidations, paths and statuses', async () => {
    const { control } = local();
    const seeded = await control.seed<Seeded>({
      cloudfront: { distributions: [{ origins: [{ id: 'o', domainName: 'o.example.com' }] }] },
    });
    const id = seeded.cloudfront.distributions[0]?.id ?? '';
    await client().send(
      new CreateInvalidationCommand({
        DistributionId: id,
        InvalidationBatch: { CallerReference: 'd', Paths: { Quantity: 2, Items: ['/a', '/b/*'] } },
      }),
    );
    const state = await control.state<{ cloudfront: unknown }>();
    expect(state.cloudfront).toMatchObject({
      distributions: [
        {
          id,
          invalidations: [
            {
              callerReference: 'd',
              status: 'InProgress',
              paths: [
                { path: '/a', kind: 'file', matchesNothing: false },
                { path: '/b/*', kind: 'wildcard', matchesNothing: false },
              ],
            },
          ],
        },
      ],
      billing: { pathsBilled: 2, estimatedCostUsd: 0 },
    });
  });
});
