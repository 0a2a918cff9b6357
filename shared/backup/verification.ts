/**
 * Restore verification, the pure part: which AMI of a target to launch, how the launch
 * looks (isolated, tagged on create, terminating on shutdown), when it passes, fails or
 * times out, and which instances the cleanup sweep terminates. The service runs it over
 * ports (shared/backup-service/verify.ts); nothing here reads the clock.
 *
 * Status checks: DescribeInstanceStatus reports `SystemStatus` and `InstanceStatus` as one of
 * ok | impaired | insufficient-data | not-applicable | initializing (EC2 API Reference,
 * InstanceStatusSummary); a restore passes when the instance is `running` and both are `ok`.
 */
import type { ImageRecord } from './inventory.ts';
import { type Ec2Tag, MANAGED_TAG_VALUE, TAG_KEYS } from './tags.ts';

/** `shipyard:kind` of a verification instance (and its volumes). */
export const VERIFICATION_KIND = 'verification';

export type VerificationStatus = 'passed' | 'failed';

/** One AMI to launch. */
export interface VerificationCandidate {
  policy: string;
  target: string;
  region: string;
  imageId: string;
  /** `x86_64` or `arm64` (DescribeImages `Architecture`); picks the instance type. */
  architecture: string;
  /** Made by Shipyard (ownership proven): only then is the AMI tagged with the result. */
  ours: boolean;
}

/**
 * The newest `available` AMI among a target's backups (by `shipyard:created-at`, then
 * `CreationDate`, then id), undefined when it has none.
 *
 * @example
 * newestAvailableImage([older, newer, pendingNewest]); // newer
 */
export function newestAvailableImage(images: readonly ImageRecord[]): ImageRecord | undefined {
  const at = (i: ImageRecord) => {
    const tagged = Date.parse(i.tags[TAG_KEYS.createdAt] ?? '');
    return Number.isNaN(tagged) ? Date.parse(i.creationDate) : tagged;
  };
  return images
    .filter((i) => i.state === 'available')
    .sort((a, b) => at(b) - at(a) || (a.imageId < b.imageId ? 1 : a.imageId > b.imageId ? -1 : 0))[0];
}

/**
 * The cost guard per run: more AMIs than `maxPerRun` refuse the whole run (a tag that
 * suddenly matches hundreds of AMIs must not launch hundreds of instances).
 *
 * @example
 * overRunCap(12, 10); // 'the selection has 12 AMIs to verify, more than maxPerRun (10): …'
 */
export function overRunCap(count: number, maxPerRun: number): string | undefined {
  if (count <= maxPerRun) return undefined;
  return `the selection has ${count} AMIs to verify, more than maxPerRun (${maxPerRun}): narrow it with --target or raise verify.maxPerRun`;
}

/** What RunInstances is asked for (the adapter maps it one to one). */
export interface VerificationLaunch {
  imageId: string;
  instanceType: string;
  subnetId: string;
  securityGroupIds: string[];
  /** Never a public IP (NetworkInterfaces[0].AssociatePublicIpAddress false). */
  associatePublicIpAddress: false;
  /** A shutdown from inside terminates, so nothing is left stopped and billed for volumes. */
  instanceInitiatedShutdownBehavior: 'terminate';
  /** Idempotent launch: a retried call with the same token launches nothing new. */
  clientToken: string;
  /** Tagged on create (instance and volumes): the sweep and IAM conditions rely on it. */
  tagSpecifications: { ResourceType: 'instance' | 'volume'; Tags: Ec2Tag[] }[];
}

/**
 * The intent id of one verification launch: recorded before RunInstances and sent as its
 * ClientToken, so a retried RunInstances returns the same instance instead of a second one
 * ("If you repeat the request with the same client token and the same parameters, you get
 * the same response": EC2 Developer Guide, "Ensuring idempotency in Amazon EC2 API requests",
 * RunInstances idempotency). A ClientToken is at most 64 ASCII characters (same page).
 */
export const launchIntentId = (verificationId: string, imageId: string): string =>
  `${verificationId}:${imageId}`.slice(-64);

/**
 * The RunInstances request of one verification.
 *
 * @example
 * verificationLaunch({ candidate, verificationId: 'verify-nightly-20261202T0300Z', subnetId: 'subnet-…',
 *   securityGroupId: 'sg-…', instanceType: 't3.micro', deadline: '2026-12-02T03:15:00.000Z' });
 * // { imageId: 'ami-…', associatePublicIpAddress: false, instanceInitiatedShutdownBehavior: 'terminate', … }
 */
export function verificationLaunch(input: {
  candidate: VerificationCandidate;
  verificationId: string;
  subnetId: string;
  securityGroupId: string;
  instanceType: string;
  deadline: string;
}): VerificationLaunch {
  const { candidate } = input;
  const tags: Ec2Tag[] = [
    { Key: TAG_KEYS.managed, Value: MANAGED_TAG_VALUE },
    { Key: TAG_KEYS.kind, Value: VERIFICATION_KIND },
    { Key: TAG_KEYS.policy, Value: candidate.policy },
    { Key: TAG_KEYS.target, Value: candidate.target },
    { Key: TAG_KEYS.verification, Value: input.verificationId },
    { Key: TAG_KEYS.verifiedImage, Value: candidate.imageId },
    { Key: TAG_KEYS.deadline, Value: input.deadline },
    { Key: 'Name', Value: `shipyard verification of ${candidate.imageId}` },
  ];
  return {
    imageId: candidate.imageId,
    instanceType: input.instanceType,
    subnetId: input.subnetId,
    securityGroupIds: [input.securityGroupId],
    associatePublicIpAddress: false,
    instanceInitiatedShutdownBehavior: 'terminate',
    clientToken: launchIntentId(input.verificationId, candidate.imageId),
    tagSpecifications: [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ],
  };
}

/** What one poll saw of a verification instance. */
export interface InstanceProbe {
  /** `pending` | `running` | `shutting-down` | `terminated` | `stopping` | `stopped`. */
  state: string;
  /** DescribeInstanceStatus `SystemStatus.Status` (absent before the instance runs). */
  systemStatus?: string;
  /** DescribeInstanceStatus `InstanceStatus.Status`. */
  instanceStatus?: string;
  /** SSM DescribeInstanceInformation `PingStatus` (`Online` | `ConnectionLost` | `Inactive`), absent if unknown. */
  ssmPingStatus?: string;
}

export type Judgement =
  | { kind: 'pending'; waitingFor: string }
  | { kind: 'passed'; secondsToPass: number }
  | { kind: 'failed'; reason: string };

const GONE_STATES = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

/**
 * Whether a verification passed, failed or must be polled again. Passes on `running` with
 * both status checks `ok` (and SSM `Online` when asked); fails on an `impaired` check, on an
 * instance that left `running` (a shutdown from inside terminates it), or at the deadline.
 *
 * @example
 * judgeVerification({ state: 'running', systemStatus: 'ok', instanceStatus: 'ok' },
 *   { launchedAtMs: t0, nowMs: t0 + 95_000, deadlineMs: t0 + 900_000, ssm: false });
 * // { kind: 'passed', secondsToPass: 95 }
 */
export function judgeVerification(
  probe: InstanceProbe,
  at: { launchedAtMs: number; nowMs: number; deadlineMs: number; ssm: boolean },
): Judgement {
  if (GONE_STATES.has(probe.state))
    return { kind: 'failed', reason: `instance ${probe.state} before passing` };
  for (const [name, status] of [
    ['system status check', probe.systemStatus],
    ['instance status check', probe.instanceStatus],
  ] as const) {
    if (status === 'impaired') return { kind: 'failed', reason: `${name} impaired` };
  }
  const waiting: string[] = [];
  if (probe.state !== 'running') waiting.push(`state ${probe.state}`);
  if (probe.systemStatus !== 'ok')
    waiting.push(`system status check ${probe.systemStatus ?? 'not reported'}`);
  if (probe.instanceStatus !== 'ok')
    waiting.push(`instance status check ${probe.instanceStatus ?? 'not reported'}`);
  if (at.ssm && probe.ssmPingStatus !== 'Online')
    waiting.push(`SSM ${probe.ssmPingStatus ?? 'not registered'}`);
  if (waiting.length === 0)
    return { kind: 'passed', secondsToPass: Math.max(0, Math.round((at.nowMs - at.launchedAtMs) / 1000)) };
  if (at.nowMs >= at.deadlineMs)
    return {
      kind: 'failed',
      reason: `timeout: not passed within ${Math.round((at.deadlineMs - at.launchedAtMs) / 1000)} s (${waiting.join(', ')})`,
    };
  return { kind: 'pending', waitingFor: waiting.join(', ') };
}

/**
 * The tags a verification leaves on an AMI Shipyard made (never on anyone else's):
 * `shipyard:verified=<UTC date>` when it passed, and the result either way.
 *
 * @example
 * resultTags('passed', '2026-12-02T03:04:05Z');
 * // [{ Key: 'shipyard:verified', Value: '2026-12-02' }, { Key: 'shipyard:verification-result', Value: 'passed' }]
 */
export function resultTags(status: VerificationStatus, finishedAt: string): Ec2Tag[] {
  const result = { Key: TAG_KEYS.verificationResult, Value: status };
  return status === 'passed'
    ? [{ Key: TAG_KEYS.verified, Value: finishedAt.slice(0, 10) }, result]
    : [result];
}

/** A launch Shipyard recorded: its intent (before RunInstances), then its instance. */
export interface RecordedLaunch {
  /** The launch's ClientToken (absent on records written before intents were). */
  intentId?: string;
  /** Absent while only the intent is recorded (RunInstances not called yet, or a crash right after it). */
  instanceId?: string;
  deadline: string;
  /** The verification that launched it (its Cleanup terminates its own launches). */
  verificationId?: string;
}

/** The key a launch is recorded and forgotten under: its intent, else (older records) its instance. */
export const launchKey = (launch: Pick<RecordedLaunch, 'intentId' | 'instanceId'>): string =>
  launch.intentId ?? launch.instanceId ?? '';

/** A running (or pending) instance as the sweep sees it. */
export interface SweepInstance {
  instanceId: string;
  state: string;
  tags: Record<string, string>;
  /** ISO `LaunchTime`. */
  launchTime: string;
  /** Instance.ClientToken: the intent id of a launch Shipyard recorded. */
  clientToken?: string;
}

/**
 * Which verification instances the cleanup sweep terminates: only launches Shipyard recorded
 * in its own store (by instance id, or by the intent recorded before RunInstances: the
 * instance's ClientToken) (a tag alone is no proof: anyone allowed to tag could make an instance
 * look like ours) that are still alive and past their recorded deadline — or, carrying our
 * tags (managed, `shipyard:kind=verification`), past their `shipyard:deadline` tag (without a
 * readable one, `maxLifetimeMs` after launch). Never anything else.
 *
 * @example
 * sweepVerificationInstances([{ instanceId: 'i-1', state: 'running', tags: ours, launchTime }],
 *   [{ instanceId: 'i-1', deadline }], { nowMs, maxLifetimeMs: 3_600_000 }); // ['i-1'] once past its deadline
 */
export function sweepVerificationInstances(
  instances: readonly SweepInstance[],
  recorded: readonly RecordedLaunch[],
  at: { nowMs: number; maxLifetimeMs: number },
): string[] {
  const alive = instances.filter((i) => !['shutting-down', 'terminated'].includes(i.state));
  const out = new Set<string>();
  for (const instance of alive) {
    const tags = instance.tags;
    if (recordedLaunchOf(instance, recorded) === undefined) continue;
    if (tags[TAG_KEYS.managed] !== MANAGED_TAG_VALUE || tags[TAG_KEYS.kind] !== VERIFICATION_KIND) continue;
    const deadline = Date.parse(tags[TAG_KEYS.deadline] ?? '');
    const cutOff = Number.isNaN(deadline) ? Date.parse(instance.launchTime) + at.maxLifetimeMs : deadline;
    if (at.nowMs >= cutOff) out.add(instance.instanceId);
  }
  for (const instance of alive) {
    const launch = recordedLaunchOf(instance, recorded);
    if (launch !== undefined && at.nowMs >= Date.parse(launch.deadline)) out.add(instance.instanceId);
  }
  return [...out].sort();
}

/**
 * The recorded launch an instance is: by its instance id, or — for an intent recorded before
 * RunInstances whose instance was never recorded — by its ClientToken (the intent id).
 */
export function recordedLaunchOf(
  instance: Pick<SweepInstance, 'instanceId' | 'clientToken'>,
  recorded: readonly RecordedLaunch[],
): RecordedLaunch | undefined {
  return recorded.find(
    (r) =>
      (r.instanceId !== undefined && r.instanceId === instance.instanceId) ||
      (r.intentId !== undefined && r.intentId === instance.clientToken),
  );
}
