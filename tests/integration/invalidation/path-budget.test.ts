/**
 * The monthly path budget over the local cloud: the S3 ledger (conditional writes), reconciliation
 * with CloudFront, two sites racing for the last free paths, the UTC month rollover, and an exhausted
 * budget (a `/*`, never a miss).
 * Sources: S3 User Guide, "How to prevent object overwrites with conditional writes"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html) and the PutObject
 * API reference (IfMatch: "If the ETag values do not match, the operation returns a 412 Precondition
 * Failed error"); CloudFront pricing (https://aws.amazon.com/cloudfront/pricing/): "No additional
 * charge for the first 1,000 paths requested for invalidation each month", per account;
 * ListInvalidations summaries carry CreateTime, GetInvalidation the CallerReference and paths.
 */
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { createS3PathLedger } from '../../../shared/aws/s3-ledger.ts';
import { SiteSchema } from '../../../shared/config/sites.ts';
import { PRICE_GRID } from '../../../shared/invalidation/index.ts';
import type { PathBudgetPorts } from '../../../shared/invalidation-service/budget-plan.ts';
import type { ChangeSet } from '../../../shared/invalidation-service/change-set.ts';
import { accountPaths, type PathLedgerStore } from '../../../shared/invalidation-service/path-ledger.ts';
import { submitChangeSet } from '../../../shared/invalidation-service/submit.ts';
import { DOCS_DIST, makeDeps, seedDistributions, WEB_DIST } from './harness.ts';

const local = useLocalCloud();
const LEDGER_BUCKET = 'shipyard-ledger';

const web = SiteSchema.parse({
  name: 'web',
  bucket: 'web-bucket',
  distributionIds: [WEB_DIST],
  invalidation: { monthlyPathBudget: 500, inventory: 'never' },
});
const docs = SiteSchema.parse({
  name: 'docs',
  bucket: 'docs-bucket',
  distributionIds: [DOCS_DIST],
  invalidation: { monthlyPathBudget: 500, inventory: 'never' },
});

const changes = (site: string, deployId: string, keys: string[]): ChangeSet => ({
  site,
  deployId,
  source: 'cli',
  changes: keys.map((key) => ({ key, change: 'modified' as const })),
  paths: [],
});

/** Keys spread over distinct top-level names, so that exact paths are the only cheap plan. */
const scattered = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}/page.html`);

const setup = async (accountCap: number) => {
  await seedDistributions(local());
  await local().control.seed({ s3: { buckets: [{ name: LEDGER_BUCKET }] } });
  const deps = await makeDeps(local());
  const s3 = new S3Client({ ...clientConfig(local().url), maxAttempts: 1 });
  const ledger = createS3PathLedger({ bucket: LEDGER_BUCKET, client: s3 });
  let now = (await local().control.clock()).now;
  const budget = (store: PathLedgerStore = ledger): PathBudgetPorts => ({
    ledger: store,
    accountCap,
    distributionIds: [WEB_DIST, DOCS_DIST],
    history: deps.cloudFront,
    now: () => now,
  });
  const advanceTo = async (iso: string) => {
    now = (await local().control.advance({ to: iso })).now;
  };
  return { deps, s3, ledger, budget, advanceTo, month: () => new Date(now).toISOString().slice(0, 7) };
};

describe('S3 PutObject with If-Match (local cloud)', () => {
  it('replaces the object when the ETag matches and refuses a stale ETag with 412', async () => {
    await local().control.seed({ s3: { buckets: [{ name: 'conditional' }] } });
    const s3 = new S3Client({ ...clientConfig(local().url), maxAttempts: 1 });
    const first = await s3.send(new PutObjectCommand({ Bucket: 'conditional', Key: 'k', Body: 'one' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'conditional', Key: 'k', Body: 'two', IfMatch: first.ETag }),
    );
    const stale = await s3
      .send(new PutObjectCommand({ Bucket: 'conditional', Key: 'k', Body: 'three', IfMatch: first.ETag }))
      .catch((e: unknown) => e);
    expect(stale).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
  });
});

describe('monthly path budget', () => {
  it("counts another tool's invalidations on a configured distribution (reconciliation)", async () => {
    const { deps, ledger, budget, month } = await setup(1000);
    const cloudFront = new CloudFrontClient(clientConfig(local().url));
    await cloudFront.send(
      new CreateInvalidationCommand({
        DistributionId: DOCS_DIST,
        InvalidationBatch: {
          CallerReference: 'console-1',
          Paths: { Quantity: 3, Items: ['/a', '/b', '/c'] },
        },
      }),
    );
    const summary = await submitChangeSet(changes('web', 'd1', ['a.html', 'b.html']), web, {
      ...deps,
      pathBudget: budget(),
    });
    const stored = (await ledger.read(month())).ledger;
    const other = Object.values(stored.entries).filter((e) => e.site === null);
    expect(other).toEqual([expect.objectContaining({ distributionId: DOCS_DIST, paths: 3 })]);
    expect(summary.budget).toMatchObject({
      pathsThisDeploy: 2,
      monthToDatePaths: 5,
      freeTierLeft: 995,
      dollars: 0,
    });
    // A second deploy does not count the other tool's invalidation twice.
    await submitChangeSet(changes('web', 'd2', ['c.html']), web, { ...deps, pathBudget: budget() });
    expect(accountPaths((await ledger.read(month())).ledger)).toBe(6);
  });

  it('two sites racing for the last free paths never spend more than the account cap', async () => {
    const { deps, ledger, budget, month } = await setup(20);
    // Both deploys read the ledger before either writes: the store lets every read through, then
    // holds the first write until the second deploy has read too.
    let reads = 0;
    let release: () => void = () => {};
    const bothRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const racing: PathLedgerStore = {
      async read(m) {
        const stored = await ledger.read(m);
        if (m === month() && ++reads === 2) release();
        return stored;
      },
      async write(l, version) {
        await bothRead;
        return ledger.write(l, version);
      },
    };
    const [a, b] = await Promise.all([
      submitChangeSet(changes('web', 'w1', scattered('w', 15)), web, { ...deps, pathBudget: budget(racing) }),
      submitChangeSet(changes('docs', 'd1', scattered('d', 15)), docs, {
        ...deps,
        pathBudget: budget(racing),
      }),
    ]);
    const total = accountPaths((await ledger.read(month())).ledger);
    expect(a.pathsBilled + b.pathsBilled).toBe(total);
    expect(total).toBeLessThanOrEqual(20);
    // Each site still covers all its URLs: the loser replanned with wildcards.
    for (const s of [a, b])
      expect(s.distributions[0]!.batches.flatMap((x) => x.paths).length).toBeGreaterThan(0);
  });

  it('an exhausted budget plans one wildcard path (never a miss), and the next UTC month starts afresh', async () => {
    const { deps, ledger, budget, advanceTo } = await setup(1000);
    await advanceTo('2031-01-31T23:00:00Z');
    const spent = { ...deps, pathBudget: budget() };
    const tight = SiteSchema.parse({ ...web, invalidation: { ...web.invalidation, monthlyPathBudget: 3 } });
    // 3 paths, one kept for a later deploy: the first may bill 2 (its exact paths).
    const first = await submitChangeSet(changes('web', 'j1', scattered('x', 2)), tight, spent);
    expect(first.pathsBilled).toBe(2);
    const second = await submitChangeSet(changes('web', 'j2', scattered('y', 5)), tight, spent);
    // Only the reserve left: one wildcard path covering every changed URL (here /y*, narrower than /*).
    expect(second.distributions[0]!.batches.flatMap((b) => b.paths)).toEqual(['/y*']);
    expect(accountPaths((await ledger.read('2031-01')).ledger)).toBe(3);
    // Nothing left at all: still one wildcard path (the floor; a miss is never allowed).
    const third = await submitChangeSet(changes('web', 'j3', scattered('w', 4)), tight, spent);
    expect(third.distributions[0]!.batches.flatMap((b) => b.paths)).toEqual(['/w*']);
    expect(accountPaths((await ledger.read('2031-01')).ledger)).toBe(4);
    // 01:00 in Paris on 1 February is still January in UTC; 00:00 UTC is February.
    await advanceTo('2031-02-01T00:00:00Z');
    const february = await submitChangeSet(changes('web', 'f1', scattered('z', 2)), tight, spent);
    expect(february.budget?.month).toBe('2031-02');
    // A fresh month: February counts only its own deploy; January keeps its 4 paths.
    expect(february.pathsBilled).toBeGreaterThan(0);
    expect(february.budget?.monthToDatePaths).toBe(february.pathsBilled);
    expect(accountPaths((await ledger.read('2031-02')).ledger)).toBe(february.pathsBilled);
    expect(accountPaths((await ledger.read('2031-01')).ledger)).toBe(4);
  });

  it("reads a burst from the ledger's reservation times: quick deploys late in a month raise the reserve", async () => {
    const { deps, ledger, budget, advanceTo } = await setup(1000);
    const ports = { ...deps, pathBudget: budget() };
    // Four hours before the month's end the default rate (40 a month × 1.5) expects < 1 more deploy.
    for (const [i, at] of ['20:00', '20:10', '20:20'].entries()) {
      await advanceTo(`2031-03-31T${at}:00Z`);
      await submitChangeSet(changes('web', `b${i}`, scattered(`b${i}-`, 2)), web, ports);
    }
    const { allowances } = (await ledger.read('2031-03')).ledger;
    expect(allowances[`web|b0|${WEB_DIST}`]!.expectedDeploys).toBe(2);
    // Two earlier deploys in the last 20 minutes: as many again expected within the next 20, × 1.5.
    expect(allowances[`web|b2|${WEB_DIST}`]!.expectedDeploys).toBe(4);
  });

  it('a redelivered deploy bills nothing and reserves nothing again', async () => {
    const { deps, ledger, budget, month } = await setup(1000);
    const ports = { ...deps, pathBudget: budget() };
    await submitChangeSet(changes('web', 'r1', scattered('r', 4)), web, ports);
    const first = (await ledger.read(month())).ledger;
    // The deploy's demand curve is kept for pacing the site's next deploys: 4 exact paths at low prices.
    expect(first.deploys.web).toBe(1);
    expect(first.demand.web).toHaveLength(PRICE_GRID.length);
    expect(first.demand.web![0]).toBe(4);
    const again = await submitChangeSet(changes('web', 'r1', scattered('r', 4)), web, ports);
    expect(again.pathsBilled).toBe(0);
    expect(again.budget?.pathsThisDeploy).toBe(0);
    const after = (await ledger.read(month())).ledger;
    expect(accountPaths(after)).toBe(4);
    // Nor is the deploy counted, or its demand added, twice.
    expect(after.deploys.web).toBe(1);
    expect(after.demand.web).toEqual(first.demand.web);
  });

  it("records a deploy's demand at most at the month's budget: no later deploy is forecast to need more", async () => {
    const { deps, ledger, budget, month } = await setup(1000);
    const small = SiteSchema.parse({
      name: 'web',
      bucket: 'web-bucket',
      distributionIds: [WEB_DIST],
      invalidation: { monthlyPathBudget: 3, inventory: 'never' },
    });
    await submitChangeSet(changes('web', 'c1', scattered('c', 8)), small, { ...deps, pathBudget: budget() });
    const { demand } = (await ledger.read(month())).ledger;
    // 8 exact paths at the lowest price, recorded as the budget's 3; `/*` (1 path) stays 1.
    expect(demand.web![0]).toBe(3);
    expect(demand.web!.at(-1)).toBe(1);
  });
});
