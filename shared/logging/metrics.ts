/**
 * Metrics helper: Powertools Metrics serialised as CloudWatch EMF (one JSON line on stdout per
 * dimension set; CloudWatch turns it into metrics, no PutMetricData call or IAM needed).
 *
 * API
 * - `createMetrics()` — namespace from POWERTOOLS_METRICS_NAMESPACE (Shipyard), dimension
 *   `service` from POWERTOOLS_SERVICE_NAME (shipyard): the same for every function, so alarms
 *   match `service=shipyard` whatever function emitted the metric. Build once per container.
 * - `metrics.count(name, value = 1, dimensions?)` — unit Count.
 * - `metrics.record(name, unit, value, dimensions?)` — any Powertools unit ('Seconds', …).
 * - Dimensions are per metric: `count('BackupsFailed', 1, { policy: 'nightly' })` is published
 *   under {service, policy} AND under {service} alone (one EMF record may carry several
 *   dimension sets), so an alarm on the service-wide total still sees it.
 * - `metrics.flush()` — writes what was recorded and empties the buffer; a no-op when empty.
 * - `withMetricsFlush(metrics, run)` — runs one invocation and flushes in `finally`: nothing
 *   recorded is lost when the handler throws, and nothing leaks into the next invocation.
 * - `createMemoryMetrics()` — for tests: `.recorded` lists every data point, `.flushes` counts flushes.
 *
 * @example
 * const metrics = createMetrics();
 * export const handler = (event) => withMetricsFlush(metrics, async () => {
 *   metrics.count('InvalidationPathsBilled', 12);
 *   metrics.record('AmiCopyDuration', 'Seconds', 812, { region: 'eu-west-1' });
 * });
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

type MetricUnitName = (typeof MetricUnit)[keyof typeof MetricUnit];
type MetricDimensions = Readonly<Record<string, string>>;

export interface MetricPoint {
  name: string;
  unit: MetricUnitName;
  value: number;
  /** Extra dimensions besides `service` ({} for service-wide metrics). */
  dimensions: MetricDimensions;
}

export interface MetricsRecorder {
  count(name: string, value?: number, dimensions?: MetricDimensions): void;
  record(name: string, unit: MetricUnitName, value: number, dimensions?: MetricDimensions): void;
  flush(): void;
}

/** Invalidation metrics (alarm InvalidationFailuresAlarm watches InvalidationFailures). */
export const InvalidationMetric = {
  PathsBilled: 'InvalidationPathsBilled',
  Batches: 'InvalidationBatches',
  Deferrals: 'InvalidationDeferrals',
  Failures: 'InvalidationFailures',
} as const;

export interface MetricsOptions {
  /** Overrides POWERTOOLS_METRICS_NAMESPACE. */
  namespace?: string;
  /** Overrides POWERTOOLS_SERVICE_NAME (the `service` dimension). */
  serviceName?: string;
  /** Where EMF lines go; stdout by default (Lambda ships it to CloudWatch Logs unprefixed). */
  write?: (line: string) => void;
}

/** Groups points by their extra dimensions: one EMF record per distinct set. */
const signature = (dimensions: MetricDimensions): string =>
  JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Powertools Metrics with a buffer that allows dimensions per metric (see the module comment).
 * It is a Powertools `Metrics`, so the `logMetrics` middleware drives it: `captureColdStartMetric`
 * is Powertools' own, and `publishStoredMetrics` (what the middleware calls after each
 * invocation, also when it throws) is this buffer's flush.
 */
export class LambdaMetrics extends Metrics implements MetricsRecorder {
  #buffer: MetricPoint[] = [];
  #emitting = false;
  readonly #write: (line: string) => void;

  constructor(options: MetricsOptions = {}) {
    super({
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.serviceName ? { serviceName: options.serviceName } : {}),
    });
    this.#write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  }

  count(name: string, value = 1, dimensions: MetricDimensions = {}): void {
    this.record(name, MetricUnit.Count, value, dimensions);
  }

  record(name: string, unit: MetricUnitName, value: number, dimensions: MetricDimensions = {}): void {
    this.#buffer.push({ name, unit, value, dimensions: { ...dimensions } });
  }

  flush(): void {
    const points = this.#buffer;
    this.#buffer = [];
    // Powertools' own POWERTOOLS_METRICS_DISABLED / POWERTOOLS_DEV decision.
    if (points.length === 0 || this.isDisabled()) return;
    const groups = new Map<string, MetricPoint[]>();
    for (const point of points) {
      const key = signature(point.dimensions);
      groups.set(key, [...(groups.get(key) ?? []), point]);
    }
    for (const group of groups.values()) this.#emit(group);
  }

  /** Empty buffers are normal here (most invocations record nothing): no Powertools warning. */
  override publishStoredMetrics(): this {
    if (this.#emitting) {
      // Powertools itself publishes a record that reached 100 metrics or values: write that part.
      this.#write(JSON.stringify(this.serializeMetrics()));
      this.clearMetrics();
      return this;
    }
    this.flush();
    return this;
  }

  /** One EMF record for one set of extra dimensions. */
  #emit(group: MetricPoint[]): void {
    const dimensions = group[0]?.dimensions ?? {};
    this.#emitting = true;
    try {
      if (Object.keys(dimensions).length > 0) {
        // Two dimension sets: {service} (totals, alarms) and {service, ...dimensions}.
        this.addDimensions({});
        this.addDimensions({ ...dimensions });
      }
      for (const point of group) this.addMetric(point.name, point.unit, point.value);
      this.#write(JSON.stringify(this.serializeMetrics()));
    } finally {
      this.#emitting = false;
      this.clearMetrics();
      this.clearDimensions();
    }
  }
}

/** Build once per container (the Lambda wrapper does). */
export const createMetrics = (options: MetricsOptions = {}): LambdaMetrics => new LambdaMetrics(options);

/** Test double: keeps every point; `flushes` counts flush() calls. */
export const createMemoryMetrics = (): MetricsRecorder & { recorded: MetricPoint[]; flushes: number } => {
  const memory = {
    recorded: [] as MetricPoint[],
    flushes: 0,
    count(name: string, value = 1, dimensions: MetricDimensions = {}) {
      memory.recorded.push({ name, unit: MetricUnit.Count, value, dimensions: { ...dimensions } });
    },
    record(name: string, unit: MetricUnitName, value: number, dimensions: MetricDimensions = {}) {
      memory.recorded.push({ name, unit, value, dimensions: { ...dimensions } });
    },
    flush() {
      memory.flushes += 1;
    },
  };
  return memory;
};

/** Runs one invocation and flushes its metrics afterwards, also when it throws. */
export const withMetricsFlush = async <T>(metrics: MetricsRecorder, run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } finally {
    metrics.flush();
  }
};
