/**
 * Backup at scale: instances × 5 volumes, copied to three regions, IN ONE POLICY (or split
 * into `--policies` policies started at the same moment), through the real ASL in the local
 * cloud's Step Functions — a Distributed Map, one child execution per target — with the
 * real handlers, realistic durations, the default EC2 limits and EC2's documented
 * request-rate throttling (seed `throttling: 'aws-default'`), time accelerated. Prints
 * numbers; never asserts them.
 *
 * Run: npm run bench:backup [-- --json] [-- --volumes 1000] [-- --sizes 2,20] [-- --policies 3]
 *      [-- --throttling '<EC2 seed value>'] [-- --governed]
 *
 * The clock runs at BENCH_SPEED throughout; with `--governed` it slows while the bench's one
 * process is saturated (backup-scale/speed-governor.ts).
 */
import { runSize, type SizeResult } from './backup-scale/run.ts';

const VOLUMES_PER_INSTANCE = 5;
const args = process.argv.slice(2);
const json = args.includes('--json');
const flagValue = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const positive = (flag: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag}: expected a positive whole number, got ${text}`);
  return n;
};
const volumesArg = flagValue('--volumes');
const sizesArg = flagValue('--sizes');
/** Instances per size: `--volumes N` is one size of N volumes (N/5 instances). */
const sizes =
  volumesArg !== undefined
    ? [Math.ceil(positive('--volumes', volumesArg) / VOLUMES_PER_INSTANCE)]
    : sizesArg !== undefined
      ? sizesArg.split(',').map((n) => positive('--sizes', n))
      : [2, 20, 200];
const policiesArg = flagValue('--policies');
/** The policies' maxConcurrency (children at once); the policy default when not given. */
const concurrencyArg = flagValue('--max-concurrency');
const policyOverrides =
  concurrencyArg === undefined ? {} : { maxConcurrency: positive('--max-concurrency', concurrencyArg) };
const policies = policiesArg === undefined ? 1 : positive('--policies', policiesArg);
const governed = args.includes('--governed');
const throttlingArg = args[args.indexOf('--throttling') + 1];
/** 'aws-default' (the documented buckets), 'off', or a JSON object of bucket overrides. */
const throttling: unknown =
  args.includes('--throttling') && throttlingArg
    ? throttlingArg.startsWith('{')
      ? JSON.parse(throttlingArg)
      : throttlingArg
    : 'aws-default';
/**
 * Simulated ms per real ms. A handler's real time counts as simulated time too, so this
 * stays low enough that a few ms of local work is about what a Lambda invocation takes.
 */
const SPEED = Number(process.env.BENCH_SPEED ?? 150);

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

const jsonLine = (r: SizeResult) =>
  JSON.stringify({
    volumes: r.volumes,
    makespanMinutes: round(r.makespanMinutes, 1),
    lowerBoundMinutes: round(r.lowerBoundMinutes, 1),
    onlineLptMinutes: round(r.onlineLptMinutes, 1),
    failedTargets: r.failedTargets,
    apiCallsPerVolume: round(r.apiCallsPerVolume),
    transitionsPerVolume: round(r.transitionsPerVolume),
    invocationsPerVolume: round(r.invocationsPerVolume),
    costPerVolumeNight: round(r.costPerVolumeNight, 6),
    throttlingEvents: r.throttlingEvents,
    throttledTaskErrors: r.throttledTaskErrors,
    throttledTaskErrorsByStep: r.throttledTaskErrorsByStep,
    limitTaskErrors: r.limitTaskErrors,
    invocationsByFunction: r.invocationsByFunction,
    taskTimeouts: r.taskTimeouts,
    tightestBucket: r.tightestBucket,
    policies: r.policies,
    executions: r.executions,
    maxHistoryEvents: r.maxHistoryEvents,
    maxStateBytes: r.maxStateBytes,
    drains: r.drains,
    load: r.load,
    pace: { ...r.pace, meanSpeed: round(r.pace.meanSpeed, 1), slowedShare: round(r.pace.slowedShare, 3) },
    copyCalls: r.copyCalls,
    copySlots: r.copySlots.map((s) => ({
      ...s,
      utilization: round(s.utilization, 3),
      meanWaitMinutes: round(s.meanWaitMinutes, 1),
      maxWaitMinutes: round(s.maxWaitMinutes, 1),
    })),
  });

const header =
  '| volumes | instances | makespan (min) | lower bound (min) | ratio | perfect online scheduler (min) | binding limit | failed targets | EC2 calls/vol | transitions/vol | invocations/vol | $/volume-night | throttling events | Ec2Throttled task errors | tightest bucket (fewest tokens left) | policies | executions | max history events | max state (bytes) | real s |';
const COLUMNS = 20;

const row = (r: SizeResult) =>
  `| ${r.volumes} | ${r.instances} | ${r.makespanMinutes.toFixed(1)} | ${r.lowerBoundMinutes.toFixed(1)} | ${(r.makespanMinutes / r.lowerBoundMinutes).toFixed(2)} | ${r.onlineLptMinutes.toFixed(1)} | ${r.bound.bindingConstraint} | ${r.failedTargets} | ${r.apiCallsPerVolume.toFixed(1)} | ${r.transitionsPerVolume.toFixed(1)} | ${r.invocationsPerVolume.toFixed(1)} | ${r.costPerVolumeNight.toFixed(6)} | ${r.throttlingEvents} | ${r.throttledTaskErrors} | ${r.tightestBucket} | ${r.policies} | ${r.executions} | ${r.maxHistoryEvents} | ${r.maxStateBytes} | ${r.realSeconds.toFixed(0)} |`;

/**
 * Issue 14's targets: no failed target, makespan within 1.10× the lower bound, every history
 * ≤ 5,000 events, every state ≤ 64 KiB, ≤ 6 transitions and ≤ 2.5 Lambda invocations per volume.
 */
const TARGETS = {
  ratio: 1.1,
  historyEvents: 5_000,
  stateBytes: 64 * 1024,
  transitionsPerVolume: 6,
  invocationsPerVolume: 2.5,
};
const misses = (r: SizeResult): string[] =>
  [
    r.failedTargets > 0 ? `${r.failedTargets} failed targets` : '',
    r.makespanMinutes > TARGETS.ratio * r.lowerBoundMinutes
      ? `makespan > ${TARGETS.ratio}× the lower bound`
      : '',
    r.maxHistoryEvents > TARGETS.historyEvents ? `a history over ${TARGETS.historyEvents} events` : '',
    r.maxStateBytes > TARGETS.stateBytes ? `a state over ${TARGETS.stateBytes} bytes` : '',
    r.transitionsPerVolume > TARGETS.transitionsPerVolume
      ? `> ${TARGETS.transitionsPerVolume} transitions/volume`
      : '',
    r.invocationsPerVolume > TARGETS.invocationsPerVolume
      ? `> ${TARGETS.invocationsPerVolume} invocations/volume`
      : '',
  ].filter(Boolean);

const main = async () => {
  if (!json) {
    console.log(
      `backup at scale: speed ×${SPEED}${governed ? ' (slowed while the process is saturated)' : ' (fixed)'}, ${policies} ${policies === 1 ? 'policy' : 'policies started together'}, copies to 3 regions, default EC2 limits, EC2 request throttling ${JSON.stringify(throttling)}\n`,
    );
    console.log(header);
    console.log(`|${'---|'.repeat(COLUMNS)}`);
  }
  for (const instances of sizes) {
    const result = await runSize(instances, SPEED, policyOverrides, throttling, policies, governed);
    console.log(json ? jsonLine(result) : row(result));
    if (!json && result.status !== 'SUCCEEDED') console.log(`  execution ended ${result.status}`);
    if (!json)
      for (const s of result.copySlots)
        console.log(
          `  ${s.region}: copy slots ${(100 * s.utilization).toFixed(1)}% used, ${s.idleWhileReadySlotMinutes} slot-minutes idle while copies were ready, wait mean ${s.meanWaitMinutes.toFixed(1)} / max ${s.maxWaitMinutes.toFixed(1)} min`,
        );
    if (!json) {
      const { eventLoopDelayMs: d, handlers } = result.load;
      const { pace } = result;
      console.log(
        `  clock: ×${pace.meanSpeed.toFixed(1)} on average, ${(100 * pace.slowedShare).toFixed(1)}% of the simulated time below ×${pace.targetSpeed} (slowest ×${pace.slowestSpeed})`,
      );
      const resume = handlers.backupResumeWait;
      console.log(
        `  event loop delay p50 ${d.p50} / p99 ${d.p99} / max ${d.max} ms real${resume ? `; ResumeWait p50 ${resume.p50Ms} / p95 ${resume.p95Ms} / max ${resume.maxMs} ms real (×${SPEED} in simulated time)` : ''}`,
      );
    }
    if (!json && result.sdkThrottledAttempts !== result.throttlingEvents)
      console.log(`  SDK saw ${result.sdkThrottledAttempts} throttled attempts`);
    const missed = misses(result);
    if (!json && missed.length > 0) console.log(`  misses the targets: ${missed.join('; ')}`);
  }
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
