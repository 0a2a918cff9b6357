/**
 * One benchmark size: a fresh local cloud, the fleet seeded, the real ASL deployed into the
 * local cloud's Step Functions with every Task bound to its real handler, the fleet in one
 * policy (or split into `policies` policies by a `Shard` tag, all started at the same
 * moment), the clock at `speed` so Waits and Retry pauses elapse in simulated time. Each
 * execution runs its targets on a Distributed Map, one child execution per target.
 * Makespan is the simulated start of the first execution → stop of the last.
 * EC2 throttles by request rate with the documented buckets ('aws-default'), refilled on
 * the simulated clock, and the SDK's standard-mode backoff elapses in simulated time too.
 */
import { GetExecutionHistoryCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DEFAULT_LIMITS, startLocalCloud } from '@shipyard/local-cloud';
import { STALL_MS } from '@shipyard/local-cloud/testing';
import {
  allStates,
  fallbackRoundSeconds,
  isWaitForToken,
  loadBackupDefinition,
} from '../../tests/helpers/backup-asl.ts';
import { deployBackupStateMachine } from '../../tests/helpers/backup-sfn.ts';
import { copySlots, type RegionSlots } from './copy-slots.ts';
import { ESTIMATED_BILLED_MS, runCost } from './cost.ts';
import { BENCH_DURATIONS, benchPolicy, COPY_REGIONS, fleetSeed, SOURCE, volumeSizes } from './fleet.ts';
import { type LoadTally, loadTally } from './load-tallies.ts';
import { type LowerBound, lowerBound } from './lower-bound.ts';
import { onlineLptMinutes } from './online-schedule.ts';
import { copyCallTally, type DrainTally, drainTally } from './queue-tallies.ts';
import { fixedPace, type GovernorReport, governSpeed } from './speed-governor.ts';

/** The longest fallback round of the ASL's `.waitForTaskToken` Tasks. */
const longestTokenTimeoutSeconds = (): number =>
  Math.max(
    ...[...allStates(loadBackupDefinition()).values()].filter(isWaitForToken).map(fallbackRoundSeconds),
  );

/** Lambda memory of the backup functions (serverless.yml provider.memorySize). */
const MEMORY_MB = 256;

export interface SizeResult {
  volumes: number;
  instances: number;
  /** Policies the fleet is split into (a `Shard` tag each), their executions started together. */
  policies: number;
  /** Executions in all: the policies' parents and their child executions (one per target). */
  executions: number;
  /** The largest history of any execution, parent or child (AWS fails one at 25,000 events). */
  maxHistoryEvents: number;
  /** Simulated start of the first execution → stop of the last. */
  makespanMinutes: number;
  lowerBoundMinutes: number;
  bound: LowerBound;
  /** What a perfect online scheduler would reach (online-schedule.ts): a reference, not a bound. */
  onlineLptMinutes: number;
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
  /** The same, per function key (which step meets the throttling). */
  throttledTaskErrorsByStep: Record<string, number>;
  /** Task timeouts by error (States.Timeout, States.HeartbeatTimeout): the fallback rounds taken. */
  taskTimeouts: Record<string, number>;
  /** Lambda invocations per function (the executions' Tasks and ResumeWait). */
  invocationsByFunction: Record<string, number>;
  /** Ec2LimitExceeded task errors (copy concurrency and other quotas, not request rate). */
  limitTaskErrors: number;
  /** The bucket that came closest to empty: fewest tokens left after a request. */
  tightestBucket: string;
  status: string;
  realSeconds: number;
  /**
   * Largest state input/output of any execution, in bytes: Step Functions refuses payloads over
   * 256 KiB (States.DataLimitExceeded), which the local cloud enforces too.
   */
  maxStateBytes: number;
  /** Each destination region's copy slots over the run: utilization, and slots idle while copies were ready. */
  copySlots: RegionSlots[];
  /** CopyImage calls per destination region and 30-minute window from the start: ok / slot limit / throttled / other. */
  copyCalls: Record<string, string[]>;
  /** The copy queue's drains (ResumeWait on copy completions): what they did, and what stopped them. */
  drains: DrainTally;
  /** How loaded the bench's process was: handlers' real times, the event loop's delay. */
  load: LoadTally;
  /** The clock's pace over the run: governed (slowed while the process was saturated) or fixed. */
  pace: GovernorReport;
}

/** Adds one to `key`'s count. */
const countIn = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** The local cloud's per-function invocation tally: `lambda.invocations.<function name>`. */
const INVOCATIONS_TALLY = 'lambda.invocations.';

/** The execution's history length and its largest input/output string (all pages). */
const historyOf = async (
  sfn: SFNClient,
  executionArn: string,
  timeouts: Record<string, number>,
): Promise<{ events: number; largest: number }> => {
  let largest = 0;
  let events = 0;
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    for (const event of page.events ?? []) {
      events += 1;
      const timedOut = event.taskTimedOutEventDetails?.error;
      if (timedOut) countIn(timeouts, timedOut);
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
  return { events, largest };
};

/**
 * Follows an execution again when the control connection was reset: with hundreds of child
 * executions busy in the same process, an idle keep-alive socket can be closed under a request.
 */
async function waitThroughResets<T>(wait: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await wait();
    } catch (error) {
      const reset = error instanceof TypeError && String(error.message).includes('fetch failed');
      if (!reset || attempt >= attempts) throw error;
    }
  }
}

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
  policies = 1,
  governed = false,
): Promise<SizeResult> {
  const local = await startLocalCloud({ port: 0, clock: { speed: 0 } });
  const began = performance.now();
  try {
    await local.control.setDurations(BENCH_DURATIONS);
    // Request-rate throttling (the documented EC2 buckets unless overridden), refilled on the simulated clock.
    const shardSize = Math.ceil(instances / policies);
    const fleet = fleetSeed(instances, shardSize);
    await local.control.seed({ ...fleet, ec2: { ...fleet.ec2, throttling } });
    let sdkThrottledAttempts = 0;
    const throttledTaskErrorsByStep: Record<string, number> = {};
    let limitTaskErrors = 0;
    const drains = drainTally();
    const copyCalls = copyCallTally(() => local.cloud.now());
    const load = loadTally();
    const runs = Array.from({ length: policies }, (_, k) => ({
      runId: `bench-${k}-2026-03-01`,
      policy: benchPolicy({
        name: `bench-${k}`,
        targets: { tags: { Backup: 'bench', Shard: `${k}` } },
        ...policyOverrides,
      }),
    }));
    const deployed = await deployBackupStateMachine(local, {
      decorateDeps: copyCalls.decorate,
      policies: runs.map((r) => r.policy),
      memorySize: MEMORY_MB,
      sdkBackoffInSimulatedTime: true,
      onSdkRetry: (type) => {
        if (type === 'THROTTLING') sdkThrottledAttempts += 1;
      },
      observe: (key, ms, error, output) => {
        if (key === 'backupResumeWait') drains.add(output);
        load.record(key, ms);
        if (error instanceof Error && error.name === 'Ec2Throttled') countIn(throttledTaskErrorsByStep, key);
        if (error instanceof Error && error.name === 'Ec2LimitExceeded') limitTaskErrors += 1;
      },
    });
    local.cloud.counters.reset();
    copyCalls.begin();
    const governor = governed ? governSpeed(local.cloud.clock, speed) : undefined;
    if (!governor) await local.control.setSpeed(speed);
    // Started at the same moment: AWS's limits (copy concurrency, throttling) are waited out per target.
    const executionArns: string[] = [];
    for (const { runId, policy } of runs) {
      const { executionArn = '' } = await deployed.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: deployed.stateMachineArn,
          name: runId,
          input: JSON.stringify({ policy: policy.name }),
        }),
      );
      executionArns.push(executionArn);
    }
    // Children parked on their events record nothing until the event or their fallback round:
    // allow one round of simulated silence (the longest token Task timeout) at the slowest pace.
    const stallMs = STALL_MS + (longestTokenTimeoutSeconds() * 1000) / (governor?.slowestPossible ?? speed);
    const dones = await Promise.all(
      executionArns.map((arn) => waitThroughResets(() => deployed.wait(arn, stallMs))),
    );
    const pace = governor?.stop() ?? fixedPace(speed);
    await local.control.setSpeed(0);
    const loaded = load.stop();
    const makespanMs =
      Math.max(...dones.map((d) => d.stopDate?.getTime() ?? 0)) -
      Math.min(...dones.map((d) => d.startDate?.getTime() ?? 0));
    const counters = await local.control.counters();
    const apiCalls = counters.calls.filter((c) => c.service === 'ec2').reduce((n, c) => n + c.count, 0);
    const state = await local.control.state<ExecutionDump>();
    // A fresh local cloud: every execution is one of these runs' parents or children.
    const ours = state.states.executions;
    const transitions = ours.reduce((n, e) => n + e.transitions, 0);
    // The executions' Tasks, plus ResumeWait, which EventBridge invokes on the EBS / AMI events.
    const resumeInvocations = counters.tallies[`${INVOCATIONS_TALLY}${deployed.resumeFunction}`] ?? 0;
    const invocations = ours.reduce((n, e) => n + e.lambdaInvocations, 0) + resumeInvocations;
    let maxStateBytes = 0;
    let maxHistoryEvents = 0;
    const taskTimeouts: Record<string, number> = {};
    for (const { arn } of ours) {
      const history = await historyOf(deployed.sfn, arn, taskTimeouts);
      maxStateBytes = Math.max(maxStateBytes, history.largest);
      maxHistoryEvents = Math.max(maxHistoryEvents, history.events);
    }
    const volumes = instances * 5;
    const failedTargets = runs.reduce((n, { runId }, k) => {
      const summary = deployed.summaries.get(runId)?.summary;
      return n + (summary ? summary.totals.failed : Math.min(shardSize, instances - k * shardSize));
    }, 0);
    // The same fleet, regions, durations and copy limit for the bound and the perfect scheduler.
    const schedule = [
      Array.from({ length: instances }, (_, n) => volumeSizes(n)),
      COPY_REGIONS,
      SOURCE,
      BENCH_DURATIONS,
      DEFAULT_LIMITS.concurrentImageCopies,
    ] as const;
    const bound = lowerBound(...schedule);
    const onlineLpt = onlineLptMinutes(...schedule);
    const failed = dones.filter((d) => d.status !== 'SUCCEEDED');
    const slots = await copySlots(
      local.url,
      SOURCE,
      COPY_REGIONS,
      BENCH_DURATIONS,
      DEFAULT_LIMITS.concurrentImageCopies,
    );
    return {
      volumes,
      instances,
      policies,
      executions: ours.length,
      maxHistoryEvents,
      makespanMinutes: makespanMs / 60_000,
      lowerBoundMinutes: bound.minutes,
      bound,
      onlineLptMinutes: onlineLpt,
      failedTargets,
      apiCallsPerVolume: apiCalls / volumes,
      transitionsPerVolume: transitions / volumes,
      invocationsPerVolume: invocations / volumes,
      costPerVolumeNight: runCost(transitions, invocations, MEMORY_MB, ESTIMATED_BILLED_MS).total / volumes,
      maxStateBytes,
      throttlingEvents: counters.tallies['ec2.throttled'] ?? 0,
      sdkThrottledAttempts,
      throttledTaskErrors: Object.values(throttledTaskErrorsByStep).reduce((n, c) => n + c, 0),
      throttledTaskErrorsByStep,
      taskTimeouts,
      invocationsByFunction: Object.fromEntries(
        Object.entries(counters.tallies)
          .filter(([name]) => name.startsWith(INVOCATIONS_TALLY))
          .map(([name, count]) => [
            name.slice(INVOCATIONS_TALLY.length).replace(/^shipyard-dev-/, ''),
            count,
          ]),
      ),
      limitTaskErrors,
      tightestBucket: tightest(state.ec2.throttling),
      status:
        failed.length === 0
          ? 'SUCCEEDED'
          : failed.map((d) => `${d.name}: ${d.status} ${d.error ?? ''} ${d.cause ?? ''}`.trim()).join('; '),
      realSeconds: (performance.now() - began) / 1000,
      copySlots: slots,
      drains: drains.tally,
      copyCalls: copyCalls.summary(),
      load: loaded,
      pace,
    };
  } finally {
    await local.close();
  }
}
