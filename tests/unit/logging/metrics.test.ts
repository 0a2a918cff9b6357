import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMemoryMetrics,
  createMetrics,
  InvalidationMetric,
  withMetricsFlush,
} from '../../../shared/logging/metrics.ts';

interface Emf {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

const capture = () => {
  const lines: string[] = [];
  const metrics = createMetrics({
    namespace: 'Shipyard',
    serviceName: 'shipyard',
    write: (l) => lines.push(l),
  });
  return { metrics, records: () => lines.map((l) => JSON.parse(l) as Emf) };
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createMetrics (EMF through Powertools)', () => {
  it('publishes service-wide metrics under exactly the dimension the alarm watches', () => {
    // Prepare
    const { metrics, records } = capture();
    // Act
    metrics.count(InvalidationMetric.Failures);
    metrics.count(InvalidationMetric.PathsBilled, 12);
    metrics.flush();
    // Assess
    const [record, ...more] = records();
    expect(more).toEqual([]);
    expect(record?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Shipyard',
        Dimensions: [['service']],
        Metrics: [
          { Name: 'InvalidationFailures', Unit: 'Count' },
          { Name: 'InvalidationPathsBilled', Unit: 'Count' },
        ],
      },
    ]);
    expect(record).toMatchObject({
      service: 'shipyard',
      InvalidationFailures: 1,
      InvalidationPathsBilled: 12,
    });
  });

  it('publishes a metric with its own dimensions under them and under the service total', () => {
    const { metrics, records } = capture();
    metrics.count('BackupsFailed', 2, { policy: 'nightly' });
    metrics.record('AmiCopyDuration', 'Seconds', 812, { region: 'eu-west-1' });
    metrics.count('BackupsSucceeded', 5);
    metrics.flush();
    const byMetric = new Map(records().map((r) => [r._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name, r]));
    expect(byMetric.get('BackupsFailed')).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Dimensions: [['service'], ['service', 'policy']] }] },
      policy: 'nightly',
      BackupsFailed: 2,
    });
    expect(byMetric.get('AmiCopyDuration')).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Dimensions: [['service'], ['service', 'region']],
            Metrics: [{ Name: 'AmiCopyDuration', Unit: 'Seconds' }],
          },
        ],
      },
      region: 'eu-west-1',
    });
    expect(byMetric.get('BackupsSucceeded')?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(records()).toHaveLength(3);
  });

  it('takes namespace and service from the Powertools environment variables', () => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'Shipyard');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'shipyard');
    const lines: string[] = [];
    const metrics = createMetrics({ write: (l) => lines.push(l) });
    metrics.count(InvalidationMetric.Deferrals, 1);
    metrics.flush();
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'Shipyard', Dimensions: [['service']] }] },
      service: 'shipyard',
    });
  });

  it('writes nothing for an empty buffer and empties the buffer on flush', () => {
    const { metrics, records } = capture();
    metrics.flush();
    metrics.count('A');
    metrics.flush();
    metrics.flush();
    expect(records()).toHaveLength(1);
  });

  it('honours POWERTOOLS_METRICS_DISABLED', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const { metrics, records } = capture();
    metrics.count('A');
    metrics.flush();
    expect(records()).toEqual([]);
  });
});

describe('withMetricsFlush', () => {
  it('flushes after the invocation, also when it throws, and rethrows', async () => {
    const metrics = createMemoryMetrics();
    await expect(
      withMetricsFlush(metrics, async () => {
        metrics.count(InvalidationMetric.Failures);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(metrics.flushes).toBe(1);
    expect(metrics.recorded).toEqual([
      { name: 'InvalidationFailures', unit: 'Count', value: 1, dimensions: {} },
    ]);
  });
});
