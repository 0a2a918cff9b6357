import { describe, expect, it } from 'vitest';
import { callerReference } from '../../../shared/invalidation/index.ts';
import { lookAtDeploy } from '../../../shared/invalidation-service/look-at-deploy.ts';
import { emptyLedger, type LedgerMonth } from '../../../shared/invalidation-service/path-ledger.ts';
import type { InvalidationRecord } from '../../../shared/invalidation-service/ports/cloudfront.ts';
import { progressLine } from '../../../shared/invalidation-service/wait-fresh.ts';

const DIST = 'E2QWRUHAPOMQZL';
const NOW = Date.parse('2026-12-03T06:00:00Z');
const ref = (batchIndex: number, deployId = 'v2@run-7') =>
  callerReference({ distributionId: DIST, deployId, batchIndex, paths: [`/p${batchIndex}.html`] });

/** CloudFront with `records`; only those created at or after `listedSince` are listed. */
const cloudFront = (records: (InvalidationRecord & { createTime: number })[]) => ({
  reads: [] as string[],
  async invalidationsSince(_distributionId: string, sinceMs: number) {
    return records
      .filter((r) => r.createTime >= sinceMs)
      .map((r) => ({ id: r.id, createTime: r.createTime }));
  },
  async getInvalidation(_distributionId: string, id: string) {
    this.reads.push(id);
    const found = records.find((r) => r.id === id);
    if (!found) throw new Error(`no invalidation ${id}`);
    return found;
  },
});

const month = (name: string, entries: Record<string, string | undefined>): LedgerMonth => ({
  ...emptyLedger(name),
  entries: Object.fromEntries(
    Object.entries(entries).map(([key, invalidationId]) => [
      key,
      {
        site: 'web',
        distributionId: DIST,
        paths: 1,
        at: `${name}-01T00:00:00.000Z`,
        ...(invalidationId ? { invalidationId } : {}),
      },
    ]),
  ),
});

const ledgerOf = (...months: LedgerMonth[]) => ({
  store: {
    read: async (name: string) => ({
      ledger: months.find((m) => m.month === name) ?? emptyLedger(name),
      version: null,
    }),
    write: async () => 'written' as const,
  },
  now: async () => NOW,
});

describe('lookAtDeploy with the path ledger', () => {
  it('finds an old invalidation by its id in the ledger and counts a planned batch CloudFront does not know as queued', async () => {
    // Prepare: batch 0 submitted a day ago (not listed any more), batch 1 deferred
    const cf = cloudFront([
      {
        id: 'I0',
        status: 'Completed',
        callerReference: ref(0),
        paths: ['/p0.html'],
        createTime: NOW - 86_400_000,
      },
    ]);
    const ledger = ledgerOf(month('2026-12', { [ref(0)]: 'I0', [ref(1)]: undefined }));
    // Act
    const [state] = await lookAtDeploy({
      cloudFront: cf,
      distributionIds: [DIST],
      deployId: 'v2@run-7',
      sinceMs: NOW - 600_000,
      ledger,
    })();
    // Assess
    expect(state).toEqual({ distributionId: DIST, completed: ['I0'], inProgress: [], queued: 1 });
    expect(progressLine(state!)).toBe(
      `${DIST}: 1/1 invalidation(s) completed, 1 batch(es) queued (deferred, not submitted yet)`,
    );
  });

  it('a queued batch is no longer queued once CloudFront lists it, id recorded or not', async () => {
    const cf = cloudFront([
      {
        id: 'I1',
        status: 'InProgress',
        callerReference: ref(1),
        paths: ['/p1.html'],
        createTime: NOW - 1_000,
      },
    ]);
    const ledger = ledgerOf(month('2026-12', { [ref(1)]: undefined }));
    const [state] = await lookAtDeploy({
      cloudFront: cf,
      distributionIds: [DIST],
      deployId: 'v2@run-7',
      sinceMs: NOW - 600_000,
      ledger,
    })();
    expect(state).toEqual({ distributionId: DIST, completed: [], inProgress: ['I1'], queued: 0 });
  });

  it('reads the current month before the previous one: a re-plan this month supersedes the old plan', async () => {
    // Prepare: last month's plan had a batch never recorded; this month's re-plan has its id
    const cf = cloudFront([
      {
        id: 'I9',
        status: 'Completed',
        callerReference: ref(0),
        paths: ['/p0.html'],
        createTime: NOW - 40 * 86_400_000,
      },
    ]);
    const ledger = ledgerOf(
      month('2026-11', { [ref(0)]: 'I9', [ref(1)]: undefined }),
      month('2026-12', { [ref(0)]: 'I9' }),
    );
    const look = lookAtDeploy({
      cloudFront: cf,
      distributionIds: [DIST],
      deployId: 'v2@run-7',
      sinceMs: NOW - 600_000,
      ledger,
    });
    // Act
    const [state] = await look();
    await look();
    // Assess: and a Completed record is read once
    expect(state).toEqual({ distributionId: DIST, completed: ['I9'], inProgress: [], queued: 0 });
    expect(cf.reads).toEqual(['I9']);
  });

  it("ignores another deploy's entries and invalidations", async () => {
    const cf = cloudFront([
      {
        id: 'X1',
        status: 'InProgress',
        callerReference: ref(0, 'other'),
        paths: ['/p0.html'],
        createTime: NOW,
      },
    ]);
    const ledger = ledgerOf(month('2026-12', { [ref(0, 'other')]: undefined }));
    const [state] = await lookAtDeploy({
      cloudFront: cf,
      distributionIds: [DIST],
      deployId: 'v2@run-7',
      sinceMs: NOW - 600_000,
      ledger,
    })();
    expect(state).toEqual({ distributionId: DIST, completed: [], inProgress: [], queued: 0 });
    expect(progressLine(state!)).toBe(`${DIST}: waiting for the deploy's invalidations`);
  });
});
