import { type ClockOptions, SimClock } from './clock.ts';
import { Counters } from './counters.ts';
import { DEFAULT_DURATIONS, type Durations, DurationsSchema } from './durations.ts';
import { FaultInjector } from './faults.ts';
import type { IamMode } from './iam/modes.ts';
import { IdGenerator } from './ids.ts';
import { seededRandom } from './random.ts';

export const LOCAL_ACCOUNT_ID = '123456789012';

export interface LocalCloudOptions {
  clock?: ClockOptions;
  durations?: Partial<Durations>;
  /** Seed for probabilistic faults. */
  seed?: number;
  /**
   * What bundle functions print: `inherit` writes it to this process's stdout/stderr,
   * `capture` keeps it per function (like CloudWatch Logs) for `functionLogs()`.
   */
  functionLogs?: 'inherit' | 'capture';
  /**
   * `enforce`: each local Lambda's calls are evaluated against its deployed role, and a missing
   * permission is denied as AWS denies it. `off` by default (`startLocalCloud` reads
   * SHIPYARD_LOCAL_IAM when the option is absent).
   */
  iam?: IamMode;
}

/**
 * The in-memory account behind the local endpoint: clock, ids, faults, counters and one
 * store per service (created on first use, dropped on reset).
 */
export class LocalCloud {
  readonly accountId = LOCAL_ACCOUNT_ID;
  readonly clock: SimClock;
  readonly ids = new IdGenerator();
  readonly counters = new Counters();
  readonly faults: FaultInjector;
  durations: Durations;
  readonly functionLogs: 'inherit' | 'capture';
  /** Survives reset(): a switch of the cloud, not state of the account. */
  iamMode: IamMode;
  /** Where the local cloud listens, once a server serves it (functions' SDK clients call back here). */
  endpointUrl?: string;
  private readonly stores = new Map<string, unknown>();
  /** Cleanups of resources that outlive a request (worker threads): run on reset and on close. */
  private readonly disposers = new Set<() => void>();
  private readonly seed: number;

  constructor(options: LocalCloudOptions = {}) {
    this.clock = new SimClock(options.clock);
    this.seed = options.seed ?? 1;
    this.functionLogs = options.functionLogs ?? 'inherit';
    this.iamMode = options.iam ?? 'off';
    this.faults = new FaultInjector(seededRandom(this.seed));
    this.durations = DurationsSchema.parse({ ...DEFAULT_DURATIONS, ...options.durations });
  }

  store<T>(key: string, create: () => T): T {
    let value = this.stores.get(key) as T | undefined;
    if (value === undefined) {
      value = create();
      this.stores.set(key, value);
    }
    return value;
  }

  now(): number {
    return this.clock.now();
  }

  setDurations(partial: Partial<Durations>): Durations {
    this.durations = DurationsSchema.parse({ ...this.durations, ...partial });
    return this.durations;
  }

  /** Registers a cleanup to run when the state it belongs to is dropped (reset or close). */
  onDispose(dispose: () => void): void {
    this.disposers.add(dispose);
  }

  /** Releases what outlives requests (worker threads); the state itself stays readable. */
  dispose(): void {
    for (const dispose of this.disposers) dispose();
    this.disposers.clear();
  }

  /** Forgets every resource, counter and fault; the clock keeps running. */
  reset(): void {
    this.dispose();
    this.stores.clear();
    this.ids.reset();
    this.counters.reset();
    this.faults.clear();
    this.faults.injected = 0;
    this.durations = { ...DEFAULT_DURATIONS };
  }
}
