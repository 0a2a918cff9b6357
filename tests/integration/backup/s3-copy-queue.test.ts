/**
 * The copy queue's S3 adapter (shared/aws/s3-copy-queue.ts) over the local S3:
 * - order: ListObjectsV2 returns keys "in ascending order of the respective key names" (Amazon
 *   S3 API Reference, ListObjectsV2, Contents), more than 1,000 over several pages (MaxKeys);
 * - an entry's LastModified is its last write (S3 API Reference, PutObject / ListObjectsV2);
 * - the sweep marker is claimed at most once per interval on the clock it is given;
 * - the drain lease has one holder: `If-None-Match: *` makes a PutObject fail with 412 when the
 *   key exists, and `If-Match: <ETag>` when the ETag no longer matches, so of writers racing for
 *   a key one wins (S3 API Reference, PutObject, IfNoneMatch / IfMatch; S3 User Guide, "How to
 *   prevent object overwrites with conditional writes").
 */
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { copyQueueKey } from '../../../shared/backup/copy-queue.ts';
import { localCopyQueue } from '../../helpers/backup-deps.ts';

const REGION = 'us-east-1';
const target = (n: number) => `i-0${n.toString(16).padStart(16, '0')}`;

describe('copy queue over S3', () => {
  const local = useLocalCloud({ clock: { start: Date.parse('2026-03-01T02:00:00Z'), speed: 0 } });

  it("lists in key order across pages, with each entry's last write", async () => {
    const queue = localCopyQueue(local);
    const keys = Array.from({ length: 1_005 }, (_, n) =>
      copyQueueKey(
        n % 2 === 0 ? '2026-03-01T01:30:00.000Z' : '2026-03-01T01:00:00.000Z',
        100,
        `run-${n % 2}`,
        target(n),
      ),
    );
    for (const key of keys) await queue.put(REGION, key, { token: 't', input: {}, queuedAt: 'x' });
    local().cloud.clock.advance(60_000);
    await queue.put(REGION, keys[0] ?? '', { token: 't2', input: {}, queuedAt: 'x' });

    const listed = await queue.list(REGION, 10_000);

    expect(listed.map((r) => r.key)).toEqual([...keys].sort());
    // Earlier runs first: every 01:00 entry before every 01:30 one.
    expect(listed[0]?.key.startsWith('20260301T010000Z~99999899~run-1~')).toBe(true);
    expect(listed.find((r) => r.key === keys[0])?.touchedAt).toBe(Date.parse('2026-03-01T02:01:00Z'));
    expect(listed.find((r) => r.key === keys[1])?.touchedAt).toBe(Date.parse('2026-03-01T02:00:00Z'));
    expect(await queue.list(REGION, 3)).toHaveLength(3);
    expect(await queue.get(REGION, keys[0] ?? '')).toEqual({ token: 't2', input: {}, queuedAt: 'x' });
    expect(await queue.list('eu-central-1', 10)).toEqual([]);
  });

  it('refuses a key or region no queue key could be', async () => {
    const queue = localCopyQueue(local);
    await expect(queue.put(REGION, '../waits/x', { token: 't', input: {}, queuedAt: 'x' })).rejects.toThrow(
      'not a copy queue key',
    );
    await expect(queue.list('us-east-1/../eu', 1)).rejects.toThrow('not a region');
  });

  it('claims a sweep at most once per interval', async () => {
    const queue = localCopyQueue(local);
    const now = () => new Date(local().cloud.now());
    expect(await queue.claimSweep(REGION, now(), 300_000)).toBe(true);
    expect(await queue.claimSweep(REGION, now(), 300_000)).toBe(false);
    local().cloud.clock.advance(299_000);
    expect(await queue.claimSweep(REGION, now(), 300_000)).toBe(false);
    local().cloud.clock.advance(1_000);
    expect(await queue.claimSweep(REGION, now(), 300_000)).toBe(true);
    // The marker is not an entry of the queue.
    expect(await queue.list(REGION, 10)).toEqual([]);
  });

  it('gives the drain lease to one of several racing drains, renews it for its holder only, and over once stale', async () => {
    const queue = localCopyQueue(local);
    const now = () => new Date(local().cloud.now());
    const STALE_MS = 120_000;

    const racing = await Promise.all(
      Array.from({ length: 5 }, () => queue.takeDrainLease(REGION, now(), STALE_MS)),
    );

    const held = racing.filter((lease) => lease !== undefined);
    expect(held).toHaveLength(1);
    expect(await queue.takeDrainLease('eu-central-1', now(), STALE_MS)).toBeDefined();
    // Renewed, it is as young as the renewal; the old handle no longer renews nor releases it.
    local().cloud.clock.advance(STALE_MS - 1_000);
    const renewed = await queue.renewDrainLease(REGION, held[0] ?? '');
    expect(renewed).toBeDefined();
    expect(await queue.renewDrainLease(REGION, held[0] ?? '')).toBeUndefined();
    await queue.releaseDrainLease(REGION, held[0] ?? '');
    local().cloud.clock.advance(STALE_MS - 1_000);
    expect(await queue.takeDrainLease(REGION, now(), STALE_MS)).toBeUndefined();
    // Stale: one of several takes it over.
    local().cloud.clock.advance(1_000);
    const takeovers = await Promise.all(
      Array.from({ length: 3 }, () => queue.takeDrainLease(REGION, now(), STALE_MS)),
    );
    const taken = takeovers.filter((lease) => lease !== undefined);
    expect(taken).toHaveLength(1);
    expect(await queue.renewDrainLease(REGION, renewed ?? '')).toBeUndefined();
    // Released by its holder: free at once.
    await queue.releaseDrainLease(REGION, taken[0] ?? '');
    expect(await queue.takeDrainLease(REGION, now(), STALE_MS)).toBeDefined();
    expect(await queue.list(REGION, 10)).toEqual([]);
  });

  it('keeps a request for a drain until it is cleared', async () => {
    const queue = localCopyQueue(local);
    expect(await queue.drainRequested(REGION)).toBe(false);

    await queue.requestDrain(REGION);
    await queue.requestDrain(REGION);

    expect(await queue.drainRequested(REGION)).toBe(true);
    expect(await queue.drainRequested('eu-central-1')).toBe(false);
    await queue.clearDrainRequest(REGION);
    expect(await queue.drainRequested(REGION)).toBe(false);
    await queue.clearDrainRequest(REGION);
    expect(await queue.list(REGION, 10)).toEqual([]);
  });
});
