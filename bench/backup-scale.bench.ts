/**
 * Backup at scale: 2, 20 and 200 instances × 5 volumes (10, 100, 1,000 volumes), copied to
 * three regions, through the real ASL in the local cloud's Step Functions with the real
 * handlers, realistic durations, the default EC2 limits and EC2's documented request-rate
 * throttling (seed `throttling: 'aws-default'`), time accelerated. Prints numbers; never
 * asserts them.
 *
 * Run: npm run bench:backup [-- --json] [-- --sizes 2,20] [-- --throttling '<EC2 seed value>']
 */
import { MAX_TARGETS_PER_RUN } from '../shared/config/policies.ts';
import { runSize, type SizeResult } from './backup-scale/run.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const sizesArg = args[args.indexOf('--sizes') + 1];
const sizes = args.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [2, 20, 200];
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
    failedTargets: r.failedTargets,
    apiCallsPerVolume: round(r.apiCallsPerVolume),
    transitionsPerVolume: round(r.transitionsPerVolume),
    invocationsPerVolume: round(r.invocationsPerVolume),
    costPerVolumeNight: round(r.costPerVolumeNight, 6),
    throttlingEvents: r.throttlingEvents,
    executions: r.executions,
    maxStatePayloadBytes: r.maxStatePayloadBytes,
  });

const header =
  '| volumes | instances | makespan (min) | lower bound (min) | ratio | binding limit | failed targets | EC2 calls/vol | transitions/vol | invocations/vol | $/volume-night | throttling events | Ec2Throttled task errors | tightest bucket (fewest tokens left) | executions | max state payload (bytes) | real s |';
const COLUMNS = 17;

const row = (r: SizeResult) =>
  `| ${r.volumes} | ${r.instances} | ${r.makespanMinutes.toFixed(1)} | ${r.lowerBoundMinutes.toFixed(1)} | ${(r.makespanMinutes / r.lowerBoundMinutes).toFixed(2)} | ${r.bound.bindingConstraint} | ${r.failedTargets} | ${r.apiCallsPerVolume.toFixed(1)} | ${r.transitionsPerVolume.toFixed(1)} | ${r.invocationsPerVolume.toFixed(1)} | ${r.costPerVolumeNight.toFixed(6)} | ${r.throttlingEvents} | ${r.throttledTaskErrors} | ${r.tightestBucket} | ${r.executions} | ${r.maxStatePayloadBytes} | ${r.realSeconds.toFixed(0)} |`;

/** Issue #7's targets for this bench: no failed target, makespan within 1.25× the lower bound. */
const MAX_RATIO = 1.25;
const meetsTargets = (r: SizeResult) =>
  r.failedTargets === 0 && r.makespanMinutes <= MAX_RATIO * r.lowerBoundMinutes;

const main = async () => {
  if (!json) {
    console.log(
      `backup at scale: speed ×${SPEED}, copies to 3 regions, default EC2 limits, EC2 request throttling ${JSON.stringify(throttling)}\n`,
    );
    console.log(header);
    console.log(`|${'---|'.repeat(COLUMNS)}`);
  }
  for (const instances of sizes) {
    const result = await runSize(instances, SPEED, {}, throttling);
    console.log(json ? jsonLine(result) : row(result));
    if (!json && result.status !== 'SUCCEEDED') console.log(`  execution ended ${result.status}`);
    if (!json && result.sdkThrottledAttempts !== result.throttlingEvents)
      console.log(`  SDK saw ${result.sdkThrottledAttempts} throttled attempts`);
    if (!json && result.executions > 1)
      console.log(
        `  ${result.instances} instances > maxTargetsPerRun (${MAX_TARGETS_PER_RUN}, Step Functions' 256 KiB state limit): split into ${result.executions} policies (Shard tag), run one after another; makespan to the end of the last`,
      );
    if (!json && !meetsTargets(result))
      console.log(`  misses the targets: 0 failed targets, makespan ≤ ${MAX_RATIO}× the lower bound`);
  }
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
