/**
 * Fault scenarios 2, 9 and 10: 5xx bursts (EC2 under the backup workflow, CloudFront under
 * the deploy handler), deploy events delivered twice and out of order, and CloudFront
 * refusing invalidations (TooManyInvalidationsInProgress) for ten simulated minutes. The
 * handlers are the real ones with real adapters over HTTP (tests/integration/invalidation/harness.ts).
 */

import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler as makeDeferred } from '../../functions/invalidate-deferred/handler.ts';
import { makeHandler as makeDeployEvent } from '../../functions/invalidate-deploy-event/handler.ts';
import { makeHandler as makeS3Events } from '../../functions/invalidate-s3-events/handler.ts';
import { createBackupWorkflow } from '../helpers/backup-workflow.ts';
import {
  DOCS_DIST,
  deployEvent as harnessDeployEvent,
  makeDeps,
  receiveAll,
  s3Message,
  seedDistributions,
  WEB_DIST,
  WEB_DIST_2,
} from '../integration/invalidation/harness.ts';
import {
  COPY_A,
  COPY_B,
  INSTANCE_A,
  INSTANCE_B,
  INSTANCE_C,
  policy,
  SOURCE,
  seedFleet,
} from '../workflow/backup/scenario.ts';
import { type Ledger, ledgerFor } from './ledger.ts';
import { COMMON_PROPERTIES, night } from './nightly.ts';
import { BILLED_ONCE, checkBilledOnce, foreignFingerprint, seedForeign } from './properties.ts';

const COVERED = 'final state covers every changed URL on every distribution';
const QUEUE_DRAINED = 'nothing left deferred or failed';

const SCENARIOS = {
  bursts: {
    id: 2,
    name: 'bursts of 500/503 from EC2 and CloudFront',
    properties: [
      ...COMMON_PROPERTIES,
      'backup run succeeds through the bursts',
      COVERED,
      'a failed delivery succeeds when redelivered',
    ],
  },
  twiceOutOfOrder: {
    id: 9,
    name: 'S3 and EventBridge deploy events twice, out of order',
    properties: [BILLED_ONCE, COVERED, 'every delivery succeeds (no batch item failure)'],
  },
  tooMany: {
    id: 10,
    name: 'TooManyInvalidationsInProgress for 10 simulated minutes',
    properties: [BILLED_ONCE, COVERED, 'deferred while refused, then submitted once', QUEUE_DRAINED],
  },
} as const;

const deployEvent = (detail: Record<string, unknown>) =>
  harnessDeployEvent(detail, { id: `evt-${String(detail.deployId)}`, time: '2026-02-01T00:00:00Z' });

interface Dump {
  cloudfront: {
    distributions: { id: string; invalidations: { callerReference: string; paths: { path: string }[] }[] }[];
  };
}

/** Every expected URL is invalidated on its distribution (exactly, or under a wildcard). */
async function checkCovered(
  ledger: Ledger,
  local: RunningLocalCloud,
  expected: Record<string, string[]>,
  context = '',
) {
  const state = await local.control.state<Dump>();
  for (const [distribution, urls] of Object.entries(expected)) {
    const paths = (
      state.cloudfront.distributions.find((d) => d.id === distribution)?.invalidations ?? []
    ).flatMap((i) => i.paths.map((p) => p.path));
    const missing = urls.filter(
      (url) => !paths.some((p) => p === url || (p.endsWith('*') && url.startsWith(p.slice(0, -1)))),
    );
    ledger.check(COVERED, missing.length === 0, `${context} ${distribution} misses ${missing.join(', ')}`);
  }
}

export function invalidationScenarios() {
  describe('fault matrix: invalidation and 5xx bursts', () => {
    const local = useLocalCloud({ clock: { start: Date.parse('2026-01-31T12:00:00Z') } });

    const prepare = async () => {
      await seedDistributions(local());
      const deps = await makeDeps(local());
      return { deps, deploy: makeDeployEvent(deps), s3: makeS3Events(deps), deferred: makeDeferred(deps) };
    };

    it(`${SCENARIOS.bursts.id}. ${SCENARIOS.bursts.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.bursts);
      // EC2: a burst on each step of the chain, longer than the SDK's own retries on two of them.
      await seedFleet(local().control);
      const regions = [SOURCE, COPY_A, COPY_B];
      await seedForeign(local().control, regions, INSTANCE_A);
      const foreign = await foreignFingerprint(local().control, 'nightly');
      await local().control.addFaults([
        { service: 'ec2', action: 'CreateSnapshots', code: 'InternalError', status: 500, firstN: 6 },
        { service: 'ec2', action: 'DescribeSnapshots', code: 'Unavailable', status: 503, firstN: 3 },
        { service: 'ec2', action: 'RegisterImage', code: 'InternalError', status: 500, firstN: 2 },
        { service: 'ec2', action: 'CopyImage', code: 'Unavailable', status: 503, firstN: 9 },
        { service: 'ec2', action: 'DescribeImages', code: 'InternalError', status: 500, firstN: 5 },
        { service: 'ec2', action: 'ModifyImageAttribute', code: 'Unavailable', status: 503, firstN: 4 },
      ]);
      const workflow = await createBackupWorkflow(local);
      const targets = [INSTANCE_A, INSTANCE_B, INSTANCE_C];
      const outcome = await night({
        ledger,
        local: local(),
        workflow,
        policy: policy(),
        runId: 'nightly-2026-02-01',
        at: '2026-02-01T00:30:00.000Z',
        targets,
        regions,
        foreign,
      });
      ledger.check('backup run succeeds through the bursts', outcome.status === 'succeeded', outcome.cause);
      // CloudFront: a short burst the SDK absorbs, then one longer than its retries.
      const { deploy } = await prepare();
      await local().control.addFaults([
        {
          service: 'cloudfront',
          action: 'CreateInvalidation',
          code: 'ServiceUnavailable',
          status: 503,
          firstN: 2,
        },
      ]);
      await deploy(deployEvent({ site: 'docs', deployId: 'burst-1', paths: ['/guide/a.html'] }));
      ledger.ran();
      await local().control.addFaults([
        { service: 'cloudfront', action: 'ListInvalidations', code: 'InternalError', status: 500, firstN: 4 },
      ]);
      const event = deployEvent({
        site: 'web',
        deployId: 'burst-2',
        changes: [{ path: 'b.html', status: 'M' }],
      });
      const first = await deploy(event).then(
        () => 'ok',
        (error: Error) => error.name,
      );
      ledger.ran();
      ledger.check('a failed delivery succeeds when redelivered', first !== 'ok', `first delivery: ${first}`);
      const again = await deploy(event).then(
        () => 'ok',
        (error: Error) => `${error.name}: ${error.message}`,
      );
      ledger.ran();
      ledger.check('a failed delivery succeeds when redelivered', again === 'ok', again);
      await checkBilledOnce(ledger, local().control, 'bursts');
      await checkCovered(ledger, local(), {
        [DOCS_DIST]: ['/guide/a.html'],
        [WEB_DIST]: ['/b.html'],
        [WEB_DIST_2]: ['/b.html'],
      });
      expect(ledger.violations).toEqual([]);
    });

    it(`${SCENARIOS.twiceOutOfOrder.id}. ${SCENARIOS.twiceOutOfOrder.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.twiceOutOfOrder);
      const { deploy, s3 } = await prepare();
      const e1 = deployEvent({
        site: 'web',
        deployId: 'rel-1',
        changes: [
          { path: 'a.html', status: 'M' },
          { path: 'blog/index.html', status: 'A' },
        ],
      });
      const e2 = deployEvent({
        site: 'web',
        deployId: 'rel-2',
        changes: [
          { path: 'b c.html', status: 'M' },
          { path: 'a.html', status: 'D' },
        ],
      });
      const s1 = {
        Records: [
          s3Message('m1', 'docs-bucket', 'guide/x.html'),
          s3Message('m2', 'docs-bucket', 'guide/y.html', 'ObjectRemoved:Delete'),
        ],
      };
      const s2 = {
        Records: [
          s3Message('m3', 'web-bucket', 'site/caf%C3%A9+menu.html'),
          s3Message('m4', 'web-bucket', 'site/100%25~.html'),
        ],
      };
      const deliveries: [string, () => Promise<unknown>][] = [
        ['rel-2', () => deploy(e2)],
        ['s3 batch 2', () => s3(s2)],
        ['rel-1', () => deploy(e1)],
        ['s3 batch 1', () => s3(s1)],
        ['rel-2 again', () => deploy(e2)],
        ['s3 batch 1 again', () => s3(s1)],
        ['rel-1 again', () => deploy(e1)],
        ['s3 batch 2 again', () => s3(s2)],
      ];
      for (const [name, deliver] of deliveries) {
        const result = (await deliver()) as { batchItemFailures?: unknown[] };
        ledger.ran();
        ledger.check(
          'every delivery succeeds (no batch item failure)',
          (result.batchItemFailures ?? []).length === 0,
          name,
        );
        await checkBilledOnce(ledger, local().control, name);
        await local().control.advance({ minutes: 1 });
      }
      const web = [
        '/a.html',
        '/blog/',
        '/blog/index.html',
        '/b%20c.html',
        '/caf%C3%A9%20menu.html',
        '/100%25%7E.html',
      ];
      await checkCovered(ledger, local(), {
        [WEB_DIST]: web,
        [WEB_DIST_2]: web,
        [DOCS_DIST]: ['/guide/x.html', '/guide/y.html'],
      });
      expect(ledger.violations).toEqual([]);
    });

    it(`${SCENARIOS.tooMany.id}. ${SCENARIOS.tooMany.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.tooMany);
      const { deploy, deferred, deps } = await prepare();
      const refusedUntil = local().cloud.now() + 10 * 60_000;
      await local().control.addFaults([
        {
          service: 'cloudfront',
          action: 'CreateInvalidation',
          code: 'TooManyInvalidationsInProgress',
          status: 400,
        },
      ]);
      const first = await deploy(
        deployEvent({ site: 'docs', deployId: 'rel-9', paths: ['/guide/*', '/index.html'] }),
      );
      ledger.ran();
      ledger.check(
        'deferred while refused, then submitted once',
        first.distributions[0]?.deferrals === 1 && first.pathsBilled === 0,
        JSON.stringify(first.distributions[0]?.batches),
      );
      // The deferred queue's consumer, driven on the simulated clock: SQS releases each
      // message after its delay; the refusal ends after ten minutes.
      for (let step = 0; step < 40; step++) {
        await local().control.advance({ ms: 30_000 });
        if (local().cloud.now() >= refusedUntil) await local().control.clearFaults();
        for (const message of await receiveAll(deps.sqs, deps.queueUrl)) {
          const result = await deferred({
            Records: [{ messageId: message.MessageId ?? 'm', body: message.Body ?? '' }],
          });
          ledger.ran();
          ledger.check(
            QUEUE_DRAINED,
            result.batchItemFailures.length === 0,
            `deferred message failed at step ${step}`,
          );
        }
      }
      const calls = (await local().control.counters()).calls
        .filter((c) => c.service === 'cloudfront' && c.action === 'CreateInvalidation')
        .reduce((n, c) => n + c.count, 0);
      ledger.check(
        'deferred while refused, then submitted once',
        calls >= 3,
        `${calls} CreateInvalidation calls (refusals + the success)`,
      );
      const state = await local().control.state<Dump>();
      const mine = state.cloudfront.distributions.find((d) => d.id === DOCS_DIST)?.invalidations ?? [];
      ledger.check(
        'deferred while refused, then submitted once',
        mine.length === 1,
        `${mine.length} invalidations`,
      );
      ledger.check(QUEUE_DRAINED, (await receiveAll(deps.sqs, deps.queueUrl)).length === 0);
      await checkBilledOnce(ledger, local().control, 'after the refusal');
      await checkCovered(ledger, local(), { [DOCS_DIST]: ['/guide/*', '/index.html'] });
      expect(ledger.violations).toEqual([]);
    });
  });
}
