/**
 * Ports of the event-driven waits: where a waiting Task's token is kept, keyed by the resource
 * it waits for, and how a token is handed back to Step Functions.
 */

import type { CopyQueue } from './copy-queue.ts';

/** What a parked Task left behind: its token and the input of the check that tells when it is done. */
export interface ParkedWait {
  token: string;
  kind: 'snapshots' | 'image' | 'copy';
  /** The check's input (`{ run, backup }` or `{ run, target, source, copy }`). */
  input: unknown;
  /** When it was parked (ISO). */
  parkedAt: string;
}

/** Durable storage of parked waits (the results bucket, `waits/<region>/<resource id>.json`). */
export interface WaitStore {
  put(region: string, resourceId: string, wait: ParkedWait): Promise<void>;
  /** `undefined` when nothing waits for the resource (never parked, or already resumed). */
  get(region: string, resourceId: string): Promise<ParkedWait | undefined>;
  delete(region: string, resourceId: string): Promise<void>;
}

/**
 * SendTaskSuccess / SendTaskFailure. `gone`: the token's Task is no longer waiting (it
 * already resumed, timed out into its fallback, or its execution ended) — a duplicate, not
 * an error.
 */
export interface TaskCallbacks {
  succeed(token: string, output: unknown): Promise<'sent' | 'gone'>;
  fail(token: string, error: string, cause: string): Promise<'sent' | 'gone'>;
  /** SendTaskHeartbeat: keeps a queued copy's Task alive, and tells whether it still waits. */
  heartbeat(token: string): Promise<'sent' | 'gone'>;
}

/** All three, as the waiting steps and the event handler use them. */
export interface EventWaits {
  store: WaitStore;
  callbacks: TaskCallbacks;
  /** Copies waiting for a slot in their destination region (ports/copy-queue.ts). */
  queue: CopyQueue;
}
