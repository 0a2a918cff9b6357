/**
 * The copy queue's rules. A copy EC2 refuses for want of a slot (ResourceLimitExceeded: the
 * concurrent AMI copy limit of its destination region) waits in a queue instead of polling
 * CopyImage: each copy that ends in the region (its `EC2 AMI State Change` event) starts the
 * next ones. A queued copy's Task lives on heartbeats: the CopyImage Task's HeartbeatSeconds
 * is its polling fallback, and the queue heartbeats the Tasks that wait in it (Step Functions
 * API Reference, SendTaskHeartbeat: it "resets the Heartbeat clock").
 */

export const COPY_QUEUE = {
  /**
   * The CopyImage Task's HeartbeatSeconds (statemachines/backup.asl.yaml): one fallback round. Two
   * hours: a started copy is not heartbeated, and an hour-long copy would otherwise cost a round.
   */
  heartbeatSeconds: 7_200,
  /** A queued entry gets a heartbeat once its last write is this old: half a round, so none lapses. */
  refreshSeconds: 3_600,
  /**
   * Copies one drain may start, over all its rounds: every slot free (one drain at a time per
   * region holds its lease, so it starts for the copies that ended while it held it too), within
   * ResumeWait's 60-second timeout at a few requests per start.
   */
  startsPerDrain: 100,
  /** Heads a drain lists at a time. */
  listedPerStart: 20,
  /**
   * Rounds one drain may run: it drains again while others asked for a drain during its round
   * (their copies ended while it held the lease).
   */
  drainRounds: 5,
  /**
   * A drain lease this old belongs to a drain that died: taken over. Twice ResumeWait's timeout
   * (serverless/functions-backup.yml: 60 s), so a live holder never loses it.
   */
  drainLeaseSeconds: 120,
  /**
   * Heartbeats one sweep may send, the stalest entries first: with a sweep every 5 minutes,
   * 3,600 an hour per region, more than a region's queue can hold entries due one.
   */
  heartbeatsPerSweep: 300,
  /** Heartbeats a sweep sends at once (each a read, a SendTaskHeartbeat and a write). */
  heartbeatConcurrency: 10,
  /** A region's queue is read whole (to find the entries due a heartbeat) at most this often. */
  sweepSeconds: 300,
  /** Entries a sweep reads: a Distributed Map runs at most 10,000 children at once. */
  listedPerSweep: 10_000,
} as const;

/** `2026-03-01T01:30:00.000Z` → `20260301T013000Z`: sorts as the instants do. */
const compactInstant = (iso: string): string => `${iso.slice(0, 19).replace(/[-:]/g, '')}Z`;

/** Execution names may hold characters a key should not: percent-encoded, `!'()*` included. */
const keySafe = (name: string): string =>
  encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Digits of the size part of a key: up to ~95 PiB, far beyond any AMI (a larger one sorts as the ceiling). */
const SIZE_DIGITS = 8;
const SIZE_CEILING = 10 ** SIZE_DIGITS - 1;

/** Larger sizes sort first: `SIZE_CEILING − size`, zero-padded. */
const largestFirst = (sizeGiB: number): string =>
  String(SIZE_CEILING - Math.min(Math.max(0, Math.round(sizeGiB)), SIZE_CEILING)).padStart(SIZE_DIGITS, '0');

/** Every key copyQueueKey can make (and nothing with a slash or a dot-dot): what the store accepts. */
export const COPY_QUEUE_KEY_PATTERN = /^[0-9TZ]{16}~[0-9]{8}~[A-Za-z0-9%._-]{1,240}~(i|vol)-[0-9a-f]{8,17}$/;

/**
 * The queue key of a run's copy of a target: the run's instant first (earlier runs go first,
 * whatever their policy), then the AMI's size, largest first, then the run and the target. The
 * largest first because a copy's time grows with its size: the longest copies queued start
 * first and the region's last copy to end is a short one (longest-processing-time order, the
 * classic list-scheduling rule for the most work on a fixed number of slots). The same for
 * every attempt of the copy, so a retried Task takes its place instead of joining the end.
 *
 * @example
 * copyQueueKey('2026-03-01T01:30:00.000Z', 120, 'nightly-2026-03-01', 'i-0123456789abcdef0');
 * // '20260301T013000Z~99999879~nightly-2026-03-01~i-0123456789abcdef0'
 */
export const copyQueueKey = (
  runStartedAt: string,
  sizeGiB: number,
  runId: string,
  targetId: string,
): string => `${compactInstant(runStartedAt)}~${largestFirst(sizeGiB)}~${keySafe(runId)}~${targetId}`;
