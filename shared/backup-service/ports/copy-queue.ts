/**
 * The copy queue: copies EC2 refused for want of a slot in their destination region
 * (ResourceLimitExceeded: the concurrent AMI copy limit; or throttled while others queue),
 * waiting in order for a slot, each with the task token of its waiting CopyImage Task.
 */

/** A queued copy: its Task's token and the CopyImage input to start it with. */
export interface QueuedCopy {
  token: string;
  /** CopyImage's task input (`{ run, target, source, copy }`), checked again when started. */
  input: unknown;
  /** When the copy first joined the queue (ISO). */
  queuedAt: string;
}

/** A queue entry as a listing shows it: its key (the queue's order) and its last write. */
export interface QueueEntryRef {
  key: string;
  /** The entry's last write (queued, or its token's last heartbeat), epoch ms. */
  touchedAt: number;
}

/** A held drain lease (opaque: the version its holder last wrote). */
type DrainLease = string;

/** Per destination region, ordered by key (the results bucket, `waits/<region>/copy-queue/`). */
export interface CopyQueue {
  /** Writes (or rewrites: a newer token, a heartbeat) the entry under `key`. */
  put(region: string, key: string, entry: QueuedCopy): Promise<void>;
  /** The region's entries in key order, at most `max` of them. */
  list(region: string, max: number): Promise<QueueEntryRef[]>;
  /** `undefined` when the entry is gone (started, or dropped meanwhile). */
  get(region: string, key: string): Promise<QueuedCopy | undefined>;
  delete(region: string, key: string): Promise<void>;
  /**
   * True when the region's queue was last swept (its heartbeats refreshed) `everyMs` before
   * `now` or earlier, or never, and marks it swept; false otherwise. Two callers at once may both get
   * true: a sweep twice is harmless.
   */
  claimSweep(region: string, now: Date, everyMs: number): Promise<boolean>;
  /**
   * Takes the region's drain lease: a handle for exactly one caller until it is released, or
   * until it was neither taken nor renewed for `staleMs` (its holder died), when one caller may
   * take it over; undefined for the others.
   */
  takeDrainLease(region: string, now: Date, staleMs: number): Promise<DrainLease | undefined>;
  /** Renews a held lease (its age starts again): the new handle, or undefined when it was taken over. */
  renewDrainLease(region: string, lease: DrainLease): Promise<DrainLease | undefined>;
  releaseDrainLease(region: string, lease: DrainLease): Promise<void>;
  /** Records that a drain was wanted while another held the lease (a slot freed meanwhile). */
  requestDrain(region: string): Promise<void>;
  /** Forgets the requests so far (a round is about to read the queue: it serves them). */
  clearDrainRequest(region: string): Promise<void>;
  /** Whether a drain was requested since the last clearDrainRequest. */
  drainRequested(region: string): Promise<boolean>;
}
