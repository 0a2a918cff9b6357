import { describe, expect, it } from 'vitest';
import {
  checkFreshness,
  FRESHNESS_CHECK_SECONDS,
  FRESHNESS_WATCH_MAX_SECONDS,
  type FreshnessPorts,
  type FreshnessWatch,
  freshnessMarkerKey,
  INVALIDATION_COMPLETED,
  INVALIDATION_SLOW,
  startFreshnessWatch,
  TIME_TO_FRESH_METRIC,
} from '../../../shared/invalidation-service/freshness.ts';
import { createMemoryMetrics } from '../../../shared/logging/metrics.ts';

const SUBMITTED = Date.parse('2026-12-02T10:00:00Z');

const watch = (over: Partial<FreshnessWatch> = {}): FreshnessWatch => ({
  kind: 'shipyard.invalidation-watch',
  version: 1,
  site: 'web',
  deployId: 'abc123',
  distributionId: 'E2QWRUHAPOMQZL',
  invalidationIds: ['I1', 'I2'],
  submittedAt: SUBMITTED,
  slowAfterSeconds: 300,
  ...over,
});

/**
 * CloudFront's GetInvalidation answers InProgress then Completed (CloudFront API reference,
 * GetInvalidation, Invalidation.Status); an id completes at the time given here.
 */
const fakePorts = (completesAt: Record<string, number>, options: { failPublish?: number } = {}) => {
  let clock = SUBMITTED;
  let failures = options.failPublish ?? 0;
  const markers = new Set<string>();
  const published: { detailType: string; detail: Record<string, unknown> }[] = [];
  const sent: { body: unknown; delay?: number }[] = [];
  const metrics = createMemoryMetrics();
  const ports: FreshnessPorts = {
    cloudFront: {
      async getInvalidation(_d, id) {
        const done = clock >= (completesAt[id] ?? Number.POSITIVE_INFINITY);
        return { id, status: done ? 'Completed' : 'InProgress', callerReference: '', paths: [] };
      },
    },
    events: {
      async publish(events) {
        if (failures > 0) {
          failures -= 1;
          throw new Error('EventBridge down');
        }
        for (const e of events)
          published.push({ detailType: e.detailType, detail: e.detail as Record<string, unknown> });
      },
    },
    once: {
      async claim(key) {
        if (markers.has(key)) return false;
        markers.add(key);
        return true;
      },
      async release(key) {
        markers.delete(key);
      },
    },
    queue: {
      async send(body, delay) {
        sent.push({ body, delay });
        return { messageId: `m${sent.length}` };
      },
    },
    metrics,
    now: () => clock,
  };
  return {
    ports,
    published,
    sent,
    metrics,
    markers,
    at: (seconds: number) => (clock = SUBMITTED + seconds * 1000),
  };
};

describe('checkFreshness (the completion watch)', () => {
  it('schedules the next check while an invalidation is in progress', async () => {
    // Prepare
    const fake = fakePorts({ I1: SUBMITTED + 10_000, I2: SUBMITTED + 90_000 });
    fake.at(30);
    // Act
    const result = await checkFreshness(watch(), fake.ports);
    // Assess
    expect(result).toEqual({ status: 'pending', seconds: 30, pending: ['I2'] });
    expect(fake.sent).toEqual([{ body: watch(), delay: FRESHNESS_CHECK_SECONDS }]);
    expect(fake.published).toEqual([]);
  });

  it('publishes Invalidation Completed once, with the seconds from submission, even when the check is redelivered', async () => {
    // Prepare
    const fake = fakePorts({ I1: SUBMITTED + 10_000, I2: SUBMITTED + 50_000 });
    fake.at(60);
    // Act: the same message delivered three times (SQS is at-least-once), one later check too
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push(await checkFreshness(watch(), fake.ports));
    fake.at(90);
    results.push(await checkFreshness(watch({ invalidationIds: ['I2', 'I1'] }), fake.ports));
    // Assess
    expect(fake.published).toEqual([
      {
        detailType: INVALIDATION_COMPLETED,
        detail: {
          site: 'web',
          deployId: 'abc123',
          distributionId: 'E2QWRUHAPOMQZL',
          invalidationIds: ['I1', 'I2'],
          secondsToFresh: 60,
        },
      },
    ]);
    expect(results.map((r) => r.status === 'fresh' && r.published)).toEqual([true, false, false, false]);
    expect(fake.metrics.recorded.filter((m) => m.name === TIME_TO_FRESH_METRIC)).toEqual([
      {
        name: TIME_TO_FRESH_METRIC,
        unit: 'Seconds',
        value: 60,
        dimensions: { distributionId: 'E2QWRUHAPOMQZL' },
      },
    ]);
    expect(fake.sent).toEqual([]);
  });

  it('publishes Invalidation Slow once past slowAfterSeconds, keeps watching, then Completed', async () => {
    // Prepare
    const fake = fakePorts({ I1: SUBMITTED + 400_000, I2: SUBMITTED });
    // Act
    fake.at(299);
    await checkFreshness(watch(), fake.ports);
    fake.at(300);
    await checkFreshness(watch(), fake.ports);
    fake.at(330);
    await checkFreshness(watch(), fake.ports);
    fake.at(420);
    await checkFreshness(watch(), fake.ports);
    // Assess
    expect(fake.published.map((p) => p.detailType)).toEqual([INVALIDATION_SLOW, INVALIDATION_COMPLETED]);
    expect(fake.published[0]?.detail).toMatchObject({
      pending: ['I1'],
      secondsSoFar: 300,
      slowAfterSeconds: 300,
    });
    expect(fake.published[1]?.detail).toMatchObject({ secondsToFresh: 420 });
    expect(fake.sent).toHaveLength(3);
  });

  it('releases the marker when publishing fails, so the redelivered check publishes', async () => {
    // Prepare
    const fake = fakePorts({ I1: SUBMITTED, I2: SUBMITTED }, { failPublish: 1 });
    fake.at(30);
    // Act
    await expect(checkFreshness(watch(), fake.ports)).rejects.toThrow('EventBridge down');
    const markersAfterFailure = fake.markers.size;
    const again = await checkFreshness(watch(), fake.ports);
    // Assess
    expect(markersAfterFailure).toBe(0);
    expect(again).toEqual({ status: 'fresh', secondsToFresh: 30, published: true });
    expect(fake.published).toHaveLength(1);
  });

  it('stops watching after FRESHNESS_WATCH_MAX_SECONDS', async () => {
    // Prepare
    const fake = fakePorts({});
    fake.at(FRESHNESS_WATCH_MAX_SECONDS);
    // Act
    const result = await checkFreshness(watch(), fake.ports);
    // Assess
    expect(result).toEqual({
      status: 'abandoned',
      seconds: FRESHNESS_WATCH_MAX_SECONDS,
      pending: ['I1', 'I2'],
    });
    expect(fake.sent).toEqual([]);
    expect(fake.published.map((p) => p.detailType)).toEqual([INVALIDATION_SLOW]);
  });

  it('keys the markers by event kind, distribution and the set of ids (order does not matter)', () => {
    expect(freshnessMarkerKey('completed', watch())).toBe(
      freshnessMarkerKey('completed', watch({ invalidationIds: ['I2', 'I1'] })),
    );
    expect(freshnessMarkerKey('completed', watch())).not.toBe(freshnessMarkerKey('slow', watch()));
    expect(freshnessMarkerKey('completed', watch())).not.toBe(
      freshnessMarkerKey('completed', watch({ invalidationIds: ['I1'] })),
    );
    expect(freshnessMarkerKey('completed', watch())).toMatch(
      /^completed\/E2QWRUHAPOMQZL\/[0-9a-f]{32}\.json$/,
    );
  });
});

describe('startFreshnessWatch', () => {
  const target = { site: 'web', slowAfterSeconds: 300, deployId: 'abc123', distributionId: 'E2QWRUHAPOMQZL' };
  const batch = (status: 'created' | 'existing' | 'deferred' | 'dry-run', invalidationId?: string) => ({
    batchIndex: 0,
    callerReference: 'r',
    paths: ['/a'],
    billedPaths: 0,
    status,
    ...(invalidationId ? { invalidationId } : {}),
  });

  it('watches the created and existing invalidations, not deferred or dry-run batches', async () => {
    // Prepare
    const fake = fakePorts({});
    // Act
    await startFreshnessWatch({ queue: fake.ports.queue, now: () => SUBMITTED }, target, [
      batch('created', 'I1'),
      batch('existing', 'I2'),
      batch('deferred'),
      batch('dry-run'),
    ]);
    await startFreshnessWatch({ queue: fake.ports.queue, now: () => SUBMITTED }, target, [batch('deferred')]);
    // Assess
    expect(fake.sent).toEqual([{ body: watch(), delay: FRESHNESS_CHECK_SECONDS }]);
  });

  it('never fails the deploy when the watch cannot be queued: it warns', async () => {
    // Prepare
    const warnings: string[] = [];
    const failing = { send: async () => Promise.reject(new Error('SQS down')) };
    // Act
    await startFreshnessWatch({ queue: failing, now: () => SUBMITTED }, target, [batch('created', 'I1')], {
      warn: (message) => warnings.push(message),
    });
    // Assess
    expect(warnings).toEqual([
      'cannot watch the invalidations for completion: no Invalidation Completed event',
    ]);
  });
});
