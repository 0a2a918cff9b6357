/**
 * One benchmark size: a fresh local cloud, the fleet seeded, the real ASL deployed into the
 * local cloud's Step Functions with every Task bound to its real handler, one nightly
 * execution started as the schedule would, the clock at `speed` so Waits and Retry pauses
 * elapse in simulated time. Makespan is the execution's simulated start → stop.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startLocalCloud } from '../../local/server.ts';
import { DEFAULT_LIMITS } from '../../local/services/ec2/limits.ts';
import { deployBackupStateMachine } from '../../tests/helpers/backup-sfn.ts';
import { ESTIMATED_BILLED_MS, runCost } from './cost.ts';
import { BENCH_DURATIONS, benchPolicy, COPY_REGIONS, fleetSeed, SOURCE, volumeSizes } from './fleet.ts';
import { type LowerBound, lowerBound } from './lower-bound.ts';

/** Lambda memory of the backup functions (serverless.yml provider.memorySize). */
const MEMORY_MB = 256;
const THROTTLING = new Set(['Ec2Throttled', 'Ec2LimitExceeded']);

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
  throttlingEvents: number;
  status: string;
  realSeconds: number;
  measuredHandlerMsAvg: number;
}

interface ExecutionDump {
  states: { executions: { arn: string; transitions: number; lambdaInvocations: number }[] };
}

export async function runSize(instances: number, speed: number, policyOverrides = {}): Promise<SizeResult> {
  const local = await startLocalCloud({ port: 0, clock: { speed: 0 } });
  const began = performance.now();
  try {
    await local.control.setDurations(BENCH_DURATIONS);
    await local.control.seed(fleetSeed(instances));
    let throttlingEvents = 0;
    let handlerMs = 0;
    let handlerCalls = 0;
    const deployed = await deployBackupStateMachine(local, {
      memorySize: MEMORY_MB,
      onSdkRetry: (type) => {
        if (type === 'THROTTLING') throttlingEvents += 1;
      },
      observe: (_key, ms, error) => {
        handlerMs += ms;
        handlerCalls += 1;
        if (error instanceof Error && THROTTLING.has(error.name)) throttlingEvents += 1;
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
      throttlingEvents,
      status: done.status ?? 'UNKNOWN',
      realSeconds: (performance.now() - began) / 1000,
      measuredHandlerMsAvg: handlerCalls === 0 ? 0 : handlerMs / handlerCalls,
    };
  } finally {
    await local.close();
  }
}
