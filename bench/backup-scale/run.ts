/**
 * One benchmark size: a fresh local cloud, the fleet seeded, the real ASL deployed into the
 * local cloud's Step Functions with every Task bound to its real handler, one nightly
 * execution started as the schedule would, the clock at `speed` so Waits and Retry pauses
 * elapse in simulated time. Makespan is the execution's simulated start → stop.
 * EC2 throttles by request rate with the documented buckets ('aws-default'), refilled on
 * the simulated clock, and the SDK's standard-mode backoff elapses in simulated time too.
 */
import { GetExecutionHistoryCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startLocalCloud } from '../../local/server.ts';
import { DEFAULT_LIMITS } from '../../local/services/ec2/limits.ts';
import { deployBackupStateMachine } from '../../tests/helpers/backup-sfn.ts';
import { ESTIMATED_BILLED_MS, runCost } from './cost.ts';
import { BENCH_DURATIONS, benchPolicy, COPY_REGIONS, fleetSeed, SOURCE, volumeSizes } from './fleet.ts';
import { type LowerBound, lowerBound } from './lower-bound.ts';

/** Lambda memory of the backup functions (serverless.yml provider.memorySize). */
const MEMORY_MB = 256;

export interface SizeResult {
  volumes: number;
  instances: number;
  makespanMinutes: number;
  lowerBoundMinutes: number;
  bound: LowerBound;
  failedTargets: number;
  apiCallsPerVolume: number;
  transitionsPerVolume: number;
  invocationsPerVolume: number;
  costPerVolumeNight: number;
  /** RequestLimitExceeded answers: the local cloud's `ec2.throttled` tally. */
  throttlingEvents: number;
  /** Throttled attempts the SDK saw (equals throttlingEvents: EC2 is the only throttled API). */
  sdkThrottledAttempts: number;
  /** Ec2Throttled task errors: throttles that outlasted the SDK's retries (ASL Retry took over). */
  throttledTaskErrors: number;
  /** Ec2LimitExceeded task errors (copy concurrency and other quotas, not request rate). */
  limitTaskErrors: number;
  /** The bucket that came closest to empty: fewest tokens left after a request. */
  tightestBucket: string;
  status: string;
  realSeconds: number;
  measuredHandlerMsAvg: number;
  /**
   * Largest state input/output of the execution, in bytes: Step Functions refuses payloads over
   * 256 KiB (States.DataLimitExceeded), which the local cloud does not enforce — so it is measured.
   */
  maxStatePayloadBytes: number;
}

/** Step Functions' payload limit for a state's input or output (and task results). */
export const STATE_PAYLOAD_LIMIT_BYTES = 262_144;

/** The largest input/output string in the execution's history (all pages). */
const largestStatePayload = async (sfn: SFNClient, executionArn: string): Promise<number> => {
  let largest = 0;
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    for (const event of page.events ?? []) {
      for (const details of Object.values(event)) {
        if (typeof details !== 'object' || details === null) continue;
        for (const key of ['input', 'output']) {
          const value = (details as Record<string, unknown>)[key];
          if (typeof value === 'string') largest = Math.max(largest, Buffer.byteLength(value));
        }
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return largest;
};

interface BucketView {
  region: string;
  bucket: string;
  capacity: number;
  lowestTokens: number;
}

interface ExecutionDump {
  states: { executions: { arn: string; transitions: number; lambdaInvocations: number }[] };
  ec2: { throttling: 'off' | { buckets: BucketView[] } };
}

const tightest = (throttling: ExecutionDump['ec2']['throttling']): string => {
  if (throttling === 'off') return 'off';
  const [first] = [...throttling.buckets].sort(
    (a, b) => a.lowestTokens / a.capacity - b.lowestTokens / b.capacity,
  );
  return first ? `${first.bucket} ${first.region} ${first.lowestTokens}/${first.capacity}` : 'none used';
};

/**
 * `throttling` is the EC2 seed's value: the documented buckets by default, or overrides
 * (`--throttling '{"mutating":{"bucket":5,"refillPerSecond":0.5}}'`) for a stress run.
 */
export async function runSize(
  instances: number,
  speed: number,
  policyOverrides = {},
  throttling: unknown = 'aws-default',
): Promise<SizeResult> {
  const local = await startLocalCloud({ port: 0, clock: { speed: 0 } });
  const began = performance.now();
  try {
    await local.control.setDurations(BENCH_DURATIONS);
    // Request-rate throttling (the documented EC2 buckets unless overridden), refilled on the simulated clock.
    const fleet = fleetSeed(instances);
    await local.control.seed({ ...fleet, ec2: { ...fleet.ec2, throttling } });
    let sdkThrottledAttempts = 0;
    let throttledTaskErrors = 0;
    let limitTaskErrors = 0;
    let handlerMs = 0;
    let handlerCalls = 0;
    const deployed = await deployBackupStateMachine(local, {
      memorySize: MEMORY_MB,
      sdkBackoffSpeed: speed,
      onSdkRetry: (type) => {
        if (type === 'THROTTLING') sdkThrottledAttempts += 1;
      },
      observe: (_key, ms, error) => {
        handlerMs += ms;
        handlerCalls += 1;
        if (error instanceof Error && error.name === 'Ec2Throttled') throttledTaskErrors += 1;
        if (error instanceof Error && error.name === 'Ec2LimitExceeded') limitTaskErrors += 1;
      },
    });
    const policy = benchPolicy(policyOverrides);
    const runId = 'bench-2026-03-01';
    local.cloud.counters.reset();
    await local.control.setSpeed(speed);
    const { executionArn = '' } = await deployed.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deployed.stateMachineArn,
        name: runId,
        input: JSON.stringify({ policy, runId, now: new Date(local.cloud.now()).toISOString() }),
      }),
    );
    const done = await deployed.wait(executionArn, 1_000_000);
    await local.control.setSpeed(0);
    const maxStatePayloadBytes = await largestStatePayload(deployed.sfn, executionArn);
    const makespanMs = (done.stopDate?.getTime() ?? 0) - (done.startDate?.getTime() ?? 0);
    const counters = await local.control.counters();
    const apiCalls = counters.calls.filter((c) => c.service === 'ec2').reduce((n, c) => n + c.count, 0);
    const state = await local.control.state<ExecutionDump>();
    const execution = state.states.executions.find((e) => e.arn === executionArn);
    const transitions = execution?.transitions ?? 0;
    const invocations = execution?.lambdaInvocations ?? 0;
    const volumes = instances * 5;
    const summary = deployed.summaries.get(runId)?.summary;
    const bound = lowerBound(
      Array.from({ length: instances }, (_, n) => volumeSizes(n)),
      COPY_REGIONS,
      SOURCE,
      BENCH_DURATIONS,
      DEFAULT_LIMITS.concurrentImageCopies,
    );
    return {
      volumes,
      instances,
      makespanMinutes: makespanMs / 60_000,
      lowerBoundMinutes: bound.minutes,
      bound,
      failedTargets: summary ? summary.totals.failed : instances,
      apiCallsPerVolume: apiCalls / volumes,
      transitionsPerVolume: transitions / volumes,
      invocationsPerVolume: invocations / volumes,
      costPerVolumeNight: runCost(transitions, invocations, MEMORY_MB, ESTIMATED_BILLED_MS).total / volumes,
      maxStatePayloadBytes,
      throttlingEvents: counters.tallies['ec2.throttled'] ?? 0,
      sdkThrottledAttempts,
      throttledTaskErrors,
      limitTaskErrors,
      tightestBucket: tightest(state.ec2.throttling),
      status: done.status ?? 'UNKNOWN',
      realSeconds: (performance.now() - began) / 1000,
      measuredHandlerMsAvg: handlerCalls === 0 ? 0 : handlerMs / handlerCalls,
    };
  } finally {
    await local.close();
  }
}
