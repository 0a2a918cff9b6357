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

/** Exposes Powertools' own POWERTOOLS_METRICS_DISABLED / POWERTOOLS_DEV decision (protected there). */
class EmfMetrics extends Metrics {
  get off(): boolean {
    return this.isDisabled();
  }
}

/** A buffer over Powertools Metrics that allows dimensions per metric (see the module comment). */
export const createMetrics = (options: MetricsOptions = {}): MetricsRecorder => {
  const powertools = new EmfMetrics({
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.serviceName ? { serviceName: options.serviceName } : {}),
  });
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  let buffer: MetricPoint[] = [];
  const record: MetricsRecorder['record'] = (name, unit, value, dimensions = {}) => {
    buffer.push({ name, unit, value, dimensions: { ...dimensions } });
  };
  return {
    count: (name, value = 1, dimensions = {}) => record(name, MetricUnit.Count, value, dimensions),
    record,
    flush() {
      const points = buffer;
      buffer = [];
      if (points.length === 0 || powertools.off) return;
      const groups = new Map<string, MetricPoint[]>();
      for (const point of points) {
        const key = signature(point.dimensions);
        groups.set(key, [...(groups.get(key) ?? []), point]);
      }
      for (const group of groups.values()) {
        const dimensions = group[0]?.dimensions ?? {};
        try {
          if (Object.keys(dimensions).length > 0) {
            // Two dimension sets: {service} (totals, alarms) and {service, ...dimensions}.
            powertools.addDimensions({});
            powertools.addDimensions({ ...dimensions });
          }
          for (const point of group) powertools.addMetric(point.name, point.unit, point.value);
          write(JSON.stringify(powertools.serializeMetrics()));
        } finally {
          powertools.clearMetrics();
          powertools.clearDimensions();
        }
      }
    },
  };
};

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
