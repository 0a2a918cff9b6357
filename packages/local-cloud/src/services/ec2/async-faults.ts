import * as z from 'zod';

/**
 * Failures that AWS reports asynchronously (the call succeeds, the resource later turns to
 * error/failed). Synchronous error answers are the control API's fault rules instead.
 */
export const AsyncFaultSchema = z
  .object({
    kind: z.enum([
      'snapshot-error',
      'register-failed',
      'copy-failed',
      'status-check-failed',
      'status-check-stuck',
      'ssm-agent-missing',
      'service-error',
      'service-not-listening',
    ]),
    /** Region the operation runs in (for copies: the source region). */
    region: z.string().min(1).optional(),
    /** snapshot-error only: the volume being snapshotted. */
    volumeId: z.string().min(1).optional(),
    /**
     * status-check-failed / status-check-stuck / ssm-agent-missing: instances launched from this
     * image fail their instance status check, never finish it, or have no SSM Agent (guest.ts);
     * service-error / service-not-listening: their service answers 500 or refuses connections.
     */
    imageId: z.string().min(1).optional(),
    /** copy-failed only: the destination region. */
    destinationRegion: z.string().min(1).optional(),
    /** How many matching operations fail; 1 by default. */
    count: z.number().int().min(1).optional(),
    message: z.string().min(1).optional(),
  })
  .strict();
export type AsyncFault = z.infer<typeof AsyncFaultSchema>;

const DEFAULT_MESSAGES: Record<AsyncFault['kind'], string> = {
  'snapshot-error': 'Injected fault: the snapshot failed',
  'register-failed': 'Injected fault: the image registration failed',
  'copy-failed': 'Injected fault: the copy failed',
  'status-check-failed': 'Injected fault: the instance status check failed',
  'status-check-stuck': 'Injected fault: the instance status checks never finish',
  'ssm-agent-missing': 'Injected fault: no SSM Agent in the image',
  'service-error': 'Injected fault: the service answers 500',
  'service-not-listening': 'Injected fault: nothing listens on the service port',
};

export interface ActiveAsyncFault {
  fault: AsyncFault;
  remaining: number;
}

/** Where the injected faults wait to be consumed (the EC2 store holds them). */
interface AsyncFaultQueue {
  asyncFaults: ActiveAsyncFault[];
}

export interface AsyncFaultMatch {
  region: string;
  volumeId?: string;
  destinationRegion?: string;
  imageId?: string;
}

export const addAsyncFaults = (store: AsyncFaultQueue, faults: AsyncFault[]): void => {
  for (const fault of faults) store.asyncFaults.push({ fault, remaining: fault.count ?? 1 });
};

/** Consumes one matching fault when an operation starts; returns its failure message. */
export const takeAsyncFault = (
  store: AsyncFaultQueue,
  kind: AsyncFault['kind'],
  match: AsyncFaultMatch,
): string | undefined => {
  for (const active of store.asyncFaults) {
    const { fault } = active;
    if (fault.kind !== kind || active.remaining <= 0) continue;
    if (fault.region !== undefined && fault.region !== match.region) continue;
    if (fault.volumeId !== undefined && fault.volumeId !== match.volumeId) continue;
    if (fault.destinationRegion !== undefined && fault.destinationRegion !== match.destinationRegion)
      continue;
    if (fault.imageId !== undefined && fault.imageId !== match.imageId) continue;
    active.remaining -= 1;
    store.asyncFaults = store.asyncFaults.filter((f) => f.remaining > 0);
    return fault.message ?? DEFAULT_MESSAGES[kind];
  }
  return undefined;
};
