/**
 * In-memory EventWaits (parked waits, task callbacks, the copy queue) for unit tests of the
 * waiting steps' services. `open` holds the tokens whose Tasks still wait: SendTask* on any
 * other answers `gone`, as Step Functions does for a Task that ended (TaskTimedOut).
 */
import type { CopyQueue, QueuedCopy } from '../../shared/backup-service/ports/copy-queue.ts';
import type { EventWaits, ParkedWait, TaskCallbacks } from '../../shared/backup-service/ports/event-waits.ts';

type SentCallback =
  | { token: string; kind: 'success'; body: unknown }
  | { token: string; kind: 'failure'; body: { error: string; cause: string } };

export function memoryEventWaits(now: () => Date) {
  const stored = new Map<string, ParkedWait>();
  const queued = new Map<string, { entry: QueuedCopy; touchedAt: number }>();
  const swept = new Map<string, number>();
  /** Per region: when its drain lease was taken; the regions a drain was asked for in. */
  const leases = new Map<string, { since: number; lease: string }>();
  let leaseVersion = 0;
  const nextLease = () => {
    leaseVersion += 1;
    return `lease-${leaseVersion}`;
  };
  const requested = new Set<string>();
  const sent: SentCallback[] = [];
  const heartbeats: string[] = [];
  const open = new Set<string>();
  const answer = (token: string) => (open.delete(token) ? ('sent' as const) : ('gone' as const));
  const callbacks: TaskCallbacks = {
    succeed: async (token, output) => {
      sent.push({ token, kind: 'success', body: output });
      return answer(token);
    },
    fail: async (token, error, cause) => {
      sent.push({ token, kind: 'failure', body: { error, cause } });
      return answer(token);
    },
    heartbeat: async (token) => {
      heartbeats.push(token);
      return open.has(token) ? 'sent' : 'gone';
    },
  };
  const queue: CopyQueue = {
    put: async (region, key, entry) =>
      void queued.set(`${region}/${key}`, { entry: structuredClone(entry), touchedAt: now().getTime() }),
    list: async (region, max) =>
      [...queued.entries()]
        .filter(([k]) => k.startsWith(`${region}/`))
        .map(([k, v]) => ({ key: k.slice(region.length + 1), touchedAt: v.touchedAt }))
        .sort((a, b) => (a.key < b.key ? -1 : 1))
        .slice(0, max),
    get: async (region, key) => structuredClone(queued.get(`${region}/${key}`)?.entry),
    delete: async (region, key) => void queued.delete(`${region}/${key}`),
    claimSweep: async (region, at, everyMs) => {
      const last = swept.get(region);
      if (last !== undefined && at.getTime() - last < everyMs) return false;
      swept.set(region, at.getTime());
      return true;
    },
    takeDrainLease: async (region, at, staleMs) => {
      const held = leases.get(region);
      if (held !== undefined && at.getTime() - held.since < staleMs) return undefined;
      const lease = nextLease();
      leases.set(region, { since: at.getTime(), lease });
      return lease;
    },
    renewDrainLease: async (region, lease) => {
      if (leases.get(region)?.lease !== lease) return undefined;
      const renewed = nextLease();
      leases.set(region, { since: now().getTime(), lease: renewed });
      return renewed;
    },
    releaseDrainLease: async (region) => void leases.delete(region),
    requestDrain: async (region) => void requested.add(region),
    clearDrainRequest: async (region) => void requested.delete(region),
    drainRequested: async (region) => requested.has(region),
  };
  const waits: EventWaits = {
    store: {
      put: async (r, id, w) => void stored.set(`${r}/${id}`, w),
      get: async (r, id) => stored.get(`${r}/${id}`),
      delete: async (r, id) => void stored.delete(`${r}/${id}`),
    },
    callbacks,
    queue,
  };
  return { waits, stored, queued, sent, heartbeats, open, leases };
}
