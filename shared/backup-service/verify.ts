/**
 * Restore verification of one policy: check the isolation of every region first (nothing
 * launches on a bad subnet or security group), pick the newest backup of each target (and
 * the configured foreign AMIs), refuse a selection over the cap, then launch at most
 * `maxConcurrentPerRegion` at once, judge each on the service clock until it passes, fails
 * or reaches its deadline, and terminate it — always, also when the run throws. Results go
 * to Shipyard's store; only AMIs Shipyard provably made are tagged.
 */
import { isTransientBackupError } from '../backup/errors.ts';
import type { ImageRecord } from '../backup/inventory.ts';
import { isolationProblems } from '../backup/isolation.ts';
import { sortByOwnership } from '../backup/ownership.ts';
import { MANAGED_TAG_VALUE, TAG_KEYS } from '../backup/tags.ts';
import {
  judgeVerification,
  launchIntentId,
  newestAvailableImage,
  overRunCap,
  type RecordedLaunch,
  resultTags,
  type VerificationCandidate,
  verificationLaunch,
} from '../backup/verification.ts';
import { VerificationRefused } from '../backup/verification-errors.ts';
import type { VerificationRecord } from '../backup/verification-record.ts';
import type { BackupPolicy } from '../config/policies.ts';
import { DEFAULT_VERIFY_INSTANCE_TYPES, type VerifyConfig } from '../config/verify.ts';
import type {
  ManagedInstances,
  ProbeCommands,
  VerificationAlarms,
  VerificationEc2,
  VerificationStore,
  VerifyImage,
} from './ports/verification.ts';
import { advanceHttpProbe, type ProbeProgress, type ProbeRecord, probeRecord } from './verify-http-probe.ts';

/** How often a running verification is probed. Status checks take minutes; this is plenty. */
export const VERIFY_POLL_MS = 15_000;

export interface VerifyDeps {
  ec2: (region: string) => VerificationEc2;
  ssm: ManagedInstances;
  /** SSM Run Command, for `verify.httpProbe` (a policy with a probe is refused without it). */
  commands?: ProbeCommands;
  store: VerificationStore;
  alarms?: VerificationAlarms;
  /** Run ids Shipyard recorded for the policy (ownership proof of its AMIs). */
  recordedRunIds: (policy: string) => Promise<string[]>;
  now: () => Date;
  /** Waits on the service clock (the local cloud's simulated one in tests and rehearsals). */
  sleep: (ms: number) => Promise<void>;
}

export interface VerifyRequest {
  policy: BackupPolicy;
  verificationId: string;
  /** Only these targets (instance or volume ids, or foreign AMI ids). */
  targets?: readonly string[];
  /** Only these regions (each must be a configured verify region). */
  regions?: readonly string[];
}

export interface VerificationReport {
  verificationId: string;
  policy: string;
  results: VerificationRecord[];
}

type RegionConfig = VerifyConfig['regions'][number];

const toImageRecord = (i: VerifyImage): ImageRecord => ({
  imageId: i.imageId,
  ...(i.name === undefined ? {} : { name: i.name }),
  state: i.state,
  creationDate: i.creationDate,
  tags: i.tags,
  snapshotIds: i.snapshotIds,
});

const backupInstant = (image: VerifyImage): string => {
  const tagged = image.tags[TAG_KEYS.createdAt];
  return tagged !== undefined && !Number.isNaN(Date.parse(tagged)) ? tagged : image.creationDate;
};

function configOf(request: VerifyRequest): { verify: VerifyConfig; regions: RegionConfig[] } {
  const { policy } = request;
  const verify = policy.verify;
  if (verify === undefined)
    throw new VerificationRefused(
      `backupPolicies[${policy.name}].verify: not configured: add verify.regions with a subnet and a security group`,
    );
  const unknown = (request.regions ?? []).filter((r) => !verify.regions.some((c) => c.region === r));
  if (unknown.length > 0)
    throw new VerificationRefused(
      `--region: ${unknown.join(', ')} is not a verify region of policy ${policy.name} (expected one of ${verify.regions.map((r) => r.region).join(', ')})`,
    );
  const wanted = request.regions;
  return { verify, regions: verify.regions.filter((r) => wanted === undefined || wanted.includes(r.region)) };
}

async function assertIsolated(
  deps: Pick<VerifyDeps, 'ec2'>,
  request: VerifyRequest,
  verify: VerifyConfig,
  regions: RegionConfig[],
) {
  const problems: string[] = [];
  for (const entry of regions) {
    const index = verify.regions.indexOf(entry);
    const facts = await deps.ec2(entry.region).isolationFacts(entry.subnetId, entry.securityGroupId);
    problems.push(
      ...isolationProblems(facts, {
        ...entry,
        path: `backupPolicies[${request.policy.name}].verify.regions[${index}]`,
      }),
    );
  }
  if (problems.length > 0)
    throw new VerificationRefused(`verification refused, nothing launched: ${problems.join('; ')}`, problems);
}

/** The newest backup of each of Shipyard's targets in a region (ownership proven). */
async function ownCandidates(
  deps: Pick<VerifyDeps, 'ec2' | 'now'>,
  request: VerifyRequest,
  region: string,
  recorded: string[],
) {
  const { policy } = request;
  const images = await deps.ec2(region).describeImages({
    tags: { [TAG_KEYS.managed]: MANAGED_TAG_VALUE, [TAG_KEYS.policy]: policy.name },
  });
  const targets = [
    ...new Set(images.map((i) => i.tags[TAG_KEYS.target]).filter((t) => t !== undefined)),
  ].sort();
  const out: { candidate: VerificationCandidate; image: VerifyImage }[] = [];
  for (const target of targets) {
    if (request.targets !== undefined && !request.targets.includes(target)) continue;
    const owned = sortByOwnership(
      { images: images.map(toImageRecord), snapshots: [] },
      {
        policy: policy.name,
        target,
        runId: request.verificationId,
        nowMs: deps.now().getTime(),
        recordedRunIds: recorded,
      },
    );
    const newest = newestAvailableImage(owned.images);
    const image = images.find((i) => i.imageId === newest?.imageId);
    if (image !== undefined)
      out.push({
        image,
        candidate: {
          policy: policy.name,
          target,
          region,
          imageId: image.imageId,
          architecture: image.architecture,
          ours: true,
        },
      });
  }
  return out;
}

/** Foreign AMIs: each listed id, and the newest AMI carrying the configured tags; never tagged. */
async function foreignCandidates(
  deps: Pick<VerifyDeps, 'ec2'>,
  request: VerifyRequest,
  verify: VerifyConfig,
  region: string,
) {
  const selection = verify.images;
  if (selection === undefined) return [];
  const ec2 = deps.ec2(region);
  const found: VerifyImage[] = [];
  if (selection.imageIds !== undefined && selection.imageIds.length > 0)
    found.push(...(await ec2.describeImages({ imageIds: selection.imageIds })));
  if (selection.tags !== undefined) {
    const tagged = await ec2.describeImages({ tags: selection.tags });
    const newest = newestAvailableImage(tagged.map(toImageRecord));
    const image = tagged.find((i) => i.imageId === newest?.imageId);
    if (image !== undefined && !found.some((f) => f.imageId === image.imageId)) found.push(image);
  }
  return found
    .filter((i) => i.state === 'available' && i.tags[TAG_KEYS.managed] !== MANAGED_TAG_VALUE)
    .filter((i) => request.targets === undefined || request.targets.includes(i.imageId))
    .map((image) => ({
      image,
      candidate: {
        policy: request.policy.name,
        target: image.imageId,
        region,
        imageId: image.imageId,
        architecture: image.architecture,
        ours: false,
      },
    }));
}

const instanceTypeFor = (entry: RegionConfig, architecture: string): string =>
  architecture === 'arm64'
    ? (entry.instanceTypes?.arm64 ?? DEFAULT_VERIFY_INSTANCE_TYPES.arm64)
    : (entry.instanceTypes?.x86_64 ?? DEFAULT_VERIFY_INSTANCE_TYPES.x86_64);

export interface Active {
  candidate: VerificationCandidate;
  image: VerifyImage;
  instanceId: string;
  launchedAt: string;
  deadlineMs: number;
  probe?: ProbeProgress;
}

type Outcome = {
  status: 'passed' | 'failed';
  reason?: string;
  secondsToPass?: number;
  httpProbe?: ProbeRecord;
};

/**
 * Runs one verification of a policy to its end.
 *
 * @throws VerificationRefused before anything is launched: verify not configured, an
 *   unknown region, a subnet with a route to the internet, a security group with inbound
 *   rules, an id that does not exist, a selection over `maxPerRun`.
 */
export type Queued = { candidate: VerificationCandidate; image: VerifyImage; entry: RegionConfig };

/**
 * What a verification would launch, after every refusal check (the plan `shipyard verify`
 * prints without `--wait`): nothing is launched.
 *
 * @throws VerificationRefused (see runVerification).
 */
export async function planVerification(
  deps: Omit<VerifyDeps, 'sleep' | 'ssm' | 'store'>,
  request: VerifyRequest,
): Promise<VerificationCandidate[]> {
  return (await selectVerifications(deps, request)).queue.map((q) => q.candidate);
}

export async function selectVerifications(
  deps: Omit<VerifyDeps, 'sleep' | 'ssm' | 'store'>,
  request: VerifyRequest,
): Promise<{ verify: VerifyConfig; queue: Queued[] }> {
  const { verify, regions } = configOf(request);
  await assertIsolated(deps, request, verify, regions);
  const recorded = await deps.recordedRunIds(request.policy.name);
  const queue: Queued[] = [];
  for (const entry of regions) {
    for (const found of [
      ...(await ownCandidates(deps, request, entry.region, recorded)),
      ...(await foreignCandidates(deps, request, verify, entry.region)),
    ])
      queue.push({ ...found, entry });
  }
  const overCap = overRunCap(queue.length, verify.maxPerRun);
  if (overCap !== undefined)
    throw new VerificationRefused(`backupPolicies[${request.policy.name}].verify.maxPerRun: ${overCap}`);
  return { verify, queue };
}

/** Ends one verification: terminate, record, forget the launch, tag our AMI, alarm on a failure. */
export function finisher(
  deps: Pick<VerifyDeps, 'ec2' | 'store' | 'alarms' | 'now'>,
  request: Pick<VerifyRequest, 'verificationId'>,
  active: Map<string, Active>,
  results: VerificationRecord[],
): (run: Active, outcome: Outcome) => Promise<void> {
  return async (run: Active, outcome: Outcome): Promise<void> => {
    active.delete(run.instanceId);
    const ec2 = deps.ec2(run.candidate.region);
    await ec2.terminate([run.instanceId]);
    const record: VerificationRecord = {
      verificationId: request.verificationId,
      policy: run.candidate.policy,
      target: run.candidate.target,
      region: run.candidate.region,
      imageId: run.candidate.imageId,
      imageCreatedAt: backupInstant(run.image),
      ours: run.candidate.ours,
      instanceId: run.instanceId,
      status: outcome.status,
      ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
      ...(outcome.secondsToPass === undefined ? {} : { secondsToPass: outcome.secondsToPass }),
      launchedAt: run.launchedAt,
      finishedAt: deps.now().toISOString(),
      ...(outcome.httpProbe === undefined ? {} : { httpProbe: outcome.httpProbe }),
    };
    results.push(record);
    await deps.store.putResult(record);
    await deps.store.forgetLaunch(
      record.region,
      launchIntentId(request.verificationId, run.candidate.imageId),
    );
    if (run.candidate.ours)
      await ec2.tagImage(run.candidate.imageId, resultTags(record.status, record.finishedAt));
    if (record.status === 'failed') await deps.alarms?.failed(record);
  };
}

/** A policy with an HTTP probe needs SSM Run Command: refused before anything launches. */
export function requireProbeClient(deps: Pick<VerifyDeps, 'commands'>, policy: BackupPolicy): void {
  if (policy.verify?.httpProbe !== undefined && deps.commands === undefined)
    throw new VerificationRefused(
      `backupPolicies[${policy.name}].verify.httpProbe: this runner has no SSM Run Command client to probe with`,
    );
}

export async function runVerification(deps: VerifyDeps, request: VerifyRequest): Promise<VerificationReport> {
  requireProbeClient(deps, request.policy);
  const { verify, queue } = await selectVerifications(deps, request);
  const results: VerificationRecord[] = [];
  const active = new Map<string, Active>();
  const finish = finisher(deps, request, active, results);

  try {
    while (queue.length > 0 || active.size > 0) {
      await launchWhatFits(deps, request, verify, queue, active, results);
      await judgeActive(deps, request.verificationId, verify, active, finish);
      if (queue.length > 0 || active.size > 0) await deps.sleep(VERIFY_POLL_MS);
    }
  } finally {
    // Whatever happened (an error, a crash of a call, the caller stopping us), nothing stays running.
    for (const run of [...active.values()]) {
      active.delete(run.instanceId);
      await deps.ec2(run.candidate.region).terminate([run.instanceId]);
    }
  }
  return { verificationId: request.verificationId, policy: request.policy.name, results };
}

/** The launches recorded per region, read once per call. */
function recordedLaunches(deps: Pick<VerifyDeps, 'store'>) {
  const recorded = new Map<string, Promise<RecordedLaunch[]>>();
  return (region: string) => {
    let launches = recorded.get(region);
    if (launches === undefined) {
      launches = deps.store.launches(region);
      recorded.set(region, launches);
    }
    return launches;
  };
}

/**
 * The candidate's launch deadline: a launch retried (after a crash, or a capacity limit) keeps
 * its recorded one, since the same parameters with the same ClientToken return the same
 * instance and different ones are IdempotentParameterMismatch; `overdue` once it has passed.
 */
function launchDeadline(
  recorded: RecordedLaunch[],
  request: VerifyRequest,
  next: Queued,
  verify: VerifyConfig,
  now: Date,
): { deadline: string; overdue: boolean } {
  const earlier = recorded.find(
    (l) => l.intentId === launchIntentId(request.verificationId, next.candidate.imageId),
  );
  if (earlier === undefined)
    return {
      deadline: new Date(now.getTime() + verify.deadlineSeconds * 1000).toISOString(),
      overdue: false,
    };
  return { deadline: earlier.deadline, overdue: now.getTime() >= Date.parse(earlier.deadline) };
}

const activeOf = (
  next: Queued,
  launched: { instanceId: string; launchTime: string },
  deadline: string,
): Active => ({
  candidate: next.candidate,
  image: next.image,
  instanceId: launched.instanceId,
  launchedAt: launched.launchTime,
  deadlineMs: Date.parse(deadline),
});

export async function launchWhatFits(
  deps: Omit<VerifyDeps, 'sleep'>,
  request: VerifyRequest,
  verify: VerifyConfig,
  queue: Queued[],
  active: Map<string, Active>,
  results: VerificationRecord[],
) {
  const intentsIn = recordedLaunches(deps);
  for (let index = 0; index < queue.length; ) {
    const next = queue[index];
    if (next === undefined) break;
    const inRegion = [...active.values()].filter((a) => a.candidate.region === next.entry.region).length;
    if (inRegion >= verify.maxConcurrentPerRegion) {
      index += 1;
      continue;
    }
    const now = deps.now();
    const { deadline, overdue } = launchDeadline(
      await intentsIn(next.entry.region),
      request,
      next,
      verify,
      now,
    );
    // A candidate that waited out capacity or throttling until its deadline is refused; its
    // intent stays for the sweep (a launch still under way would carry the same ClientToken).
    if (overdue) {
      queue.splice(index, 1);
      await refused(
        deps,
        request,
        next,
        now,
        new Error(`no launch before its deadline ${deadline}`),
        results,
      );
      continue;
    }
    const launch = verificationLaunch({
      candidate: next.candidate,
      verificationId: request.verificationId,
      subnetId: next.entry.subnetId,
      securityGroupId: next.entry.securityGroupId,
      instanceType: instanceTypeFor(next.entry, next.candidate.architecture),
      deadline,
    });
    // The intent first: a crash between RunInstances and the record of its instance leaves
    // the sweep the ClientToken to find the instance by (and a retry gets the same instance).
    const intent = {
      region: next.entry.region,
      intentId: launch.clientToken,
      deadline,
      verificationId: request.verificationId,
    };
    await deps.store.recordLaunch(intent);
    let launched: { instanceId: string; launchTime: string };
    try {
      launched = await deps.ec2(next.entry.region).runInstance(launch);
    } catch (error) {
      // Throttling and capacity limits are reasons to wait: the candidate stays queued (its
      // intent too: the retry sends the same ClientToken).
      if (isTransientBackupError(error)) return;
      queue.splice(index, 1);
      await deps.store.forgetLaunch(intent.region, intent.intentId);
      await refused(deps, request, next, now, error, results);
      continue;
    }
    queue.splice(index, 1);
    // Outside the try: a failure here is a crash after RunInstances, not a refused launch.
    await deps.store.recordLaunch({ ...intent, instanceId: launched.instanceId });
    active.set(launched.instanceId, activeOf(next, launched, deadline));
  }
}

/** A launch EC2 refused (not a reason to wait): a failed result, recorded, tagged on our AMI, alarmed. */
async function refused(
  deps: Omit<VerifyDeps, 'sleep'>,
  request: VerifyRequest,
  next: Queued,
  now: Date,
  error: unknown,
  results: VerificationRecord[],
) {
  const record: VerificationRecord = {
    verificationId: request.verificationId,
    policy: next.candidate.policy,
    target: next.candidate.target,
    region: next.candidate.region,
    imageId: next.candidate.imageId,
    imageCreatedAt: backupInstant(next.image),
    ours: next.candidate.ours,
    status: 'failed',
    reason: `launch refused: ${error instanceof Error ? error.message : String(error)}`,
    finishedAt: now.toISOString(),
  };
  results.push(record);
  await deps.store.putResult(record);
  if (record.ours)
    await deps.ec2(record.region).tagImage(record.imageId, resultTags('failed', record.finishedAt));
  await deps.alarms?.failed(record);
}

export async function judgeActive(
  deps: Omit<VerifyDeps, 'sleep'>,
  verificationId: string,
  verify: VerifyConfig,
  active: Map<string, Active>,
  finish: (run: Active, outcome: Outcome) => Promise<void>,
) {
  // Run Command needs an Online managed node, so the HTTP probe waits for SSM too.
  const ssm = verify.probes.ssm || verify.httpProbe !== undefined;
  const byRegion = new Map<string, Active[]>();
  for (const run of active.values())
    byRegion.set(run.candidate.region, [...(byRegion.get(run.candidate.region) ?? []), run]);
  for (const [region, runs] of byRegion) {
    const ids = runs.map((r) => r.instanceId);
    const probes = await deps.ec2(region).probe(ids);
    const pings = ssm ? await deps.ssm.pingStatus(region, ids) : new Map<string, string>();
    const nowMs = deps.now().getTime();
    for (const run of runs) {
      // Not visible yet (EC2 is eventually consistent just after RunInstances): still pending; the deadline bounds it.
      const probe = probes.get(run.instanceId) ?? { state: 'pending' };
      const ping = pings.get(run.instanceId);
      const judgement = judgeVerification(ping === undefined ? probe : { ...probe, ssmPingStatus: ping }, {
        launchedAtMs: Date.parse(run.launchedAt),
        nowMs,
        deadlineMs: run.deadlineMs,
        ssm,
      });
      await settle(deps, { region, verificationId, httpProbe: verify.httpProbe }, run, judgement, finish);
    }
  }
}

/** What one poll's judgement means for a run: finished (passed or failed) or still going. */
async function settle(
  deps: Omit<VerifyDeps, 'sleep'>,
  at: { region: string; verificationId: string; httpProbe: VerifyConfig['httpProbe'] },
  run: Active,
  judgement: ReturnType<typeof judgeVerification>,
  finish: (run: Active, outcome: Outcome) => Promise<void>,
) {
  const { httpProbe } = at;
  if (judgement.kind === 'failed') {
    await finish(run, {
      status: 'failed',
      reason: judgement.reason,
      ...(httpProbe === undefined
        ? {}
        : {
            httpProbe: probeRecord(
              httpProbe,
              run.probe,
              (run.probe?.attempts ?? 0) > 0 ? 'failed' : 'not run',
            ),
          }),
    });
    return;
  }
  if (judgement.kind === 'pending') return;
  if (httpProbe === undefined) {
    await finish(run, { status: 'passed', secondsToPass: judgement.secondsToPass });
    return;
  }
  // Checked before anything launched (runVerification): a probe always has its client.
  if (deps.commands === undefined) return;
  const progress = run.probe ?? { attempts: 0 };
  run.probe = progress;
  const target = { region: at.region, instanceId: run.instanceId, verificationId: at.verificationId };
  const launchedMs = Date.parse(run.launchedAt);
  if (await advanceHttpProbe(deps.commands, target, httpProbe, progress))
    await finish(run, {
      status: 'passed',
      secondsToPass: Math.max(0, Math.round((deps.now().getTime() - launchedMs) / 1000)),
      httpProbe: probeRecord(httpProbe, progress, 'passed'),
    });
  else if (deps.now().getTime() >= run.deadlineMs)
    await finish(run, {
      status: 'failed',
      reason: `timeout: HTTP probe not passed within ${Math.round((run.deadlineMs - launchedMs) / 1000)} s (${progress.detail ?? 'no answer yet'})`,
      httpProbe: probeRecord(httpProbe, progress, progress.attempts === 0 ? 'not run' : 'failed'),
    });
}
