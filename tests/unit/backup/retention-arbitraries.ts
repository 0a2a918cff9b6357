/**
 * fast-check generators of retention inputs shaped like production: every real backup is
 * what Shipyard would have made (tags, AMI name, source volume, AWS times shortly after the
 * `shipyard:created-at` claim), `form` is always set, and the run record and source volumes
 * are given in one of the two ways rotation calls the planner (source region: both; copy
 * region: run record only, copies carrying an arbitrary volume id).
 *
 * `form` is set as production sets it (issue 12 §3): discovery derives it with
 * `backupFormOf` from the target's options (functions/backup-discover-targets), rotation
 * passes `target.form` (shared/backup-service/rotation.ts), and a `snapshots-only` target
 * never registers an AMI (the state machine goes from its snapshots straight to rotation,
 * statemachines/backup.asl.yaml) nor is copied. An image target may still be left without
 * its AMI (registration failed, or the AMI was deregistered): those orphan snapshot sets are
 * generated. A smaller share of scenarios goes beyond production (AMIs tagged for a
 * snapshots-only target), so the invariants also hold for inventories production does not make.
 */
import fc from 'fast-check';
import { backupFormOf } from '../../../shared/backup/block-devices.ts';
import type { ImageRecord, SnapshotRecord } from '../../../shared/backup/inventory.ts';
import { imageName } from '../../../shared/backup/naming.ts';
import type { RetentionInput } from '../../../shared/backup/retention.ts';
import type { RetentionRule } from '../../../shared/backup/retention-rules.ts';
import { POLICY, REGION, TARGET } from './inventory-builders.ts';

export const NOW_MS = Date.parse('2026-11-20T12:00:00Z');
export const CURRENT_RUN = 'run-current';
const MINUTE = 60_000;
const DAY = 86_400_000;

/** The target's volumes (source region). */
export const TARGET_VOLUMES = ['vol-0a0000000000000a0', 'vol-0b0000000000000b0', 'vol-0c0000000000000c0'];
/**
 * The volume id DescribeSnapshots shows on copies: "Snapshots created by the CopySnapshot
 * action have an arbitrary volume ID that should not be used for any purpose" (EC2 API
 * Reference, Snapshot.VolumeId; CopySnapshot: "Snapshots copies have an arbitrary source
 * volume ID"). `vol-ffffffff` is what EC2 shows in practice; the planner never relies on it.
 */
const COPY_VOLUME_ID = 'vol-ffffffff';

type OwnerKind = 'ours' | 'other-policy' | 'other-target' | 'unmanaged';
const ownerArb = fc.constantFrom<OwnerKind>(
  'ours',
  'ours',
  'ours',
  'ours',
  'other-policy',
  'other-target',
  'unmanaged',
);

const runArb = fc.record({
  owner: ownerArb,
  hasImage: fc.boolean(),
  imageState: fc.constantFrom(
    'available',
    'available',
    'available',
    'pending',
    'failed',
    'error',
    'invalid',
    'deregistered',
    'disabled',
    'transient',
  ),
  snapshotStates: fc.array(
    fc.constantFrom('completed', 'completed', 'completed', 'pending', 'error', 'recoverable'),
    { minLength: 0, maxLength: 3 },
  ),
  isCurrent: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  /** Minutes after its created-at that EC2 started the snapshots / registered the AMI. */
  delayMinutes: fc.integer({ min: 0, max: 26 * 60 }),
});

export const retentionArb: fc.Arbitrary<RetentionRule> = fc.record(
  {
    keepLast: fc.integer({ min: 0, max: 6 }),
    maxAgeDays: fc.integer({ min: 1, max: 120 }),
    gfs: fc.record(
      {
        daily: fc.integer({ min: 0, max: 7 }),
        weekly: fc.integer({ min: 0, max: 5 }),
        monthly: fc.integer({ min: 0, max: 4 }),
        yearly: fc.integer({ min: 0, max: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

export interface Scenario {
  /** Its `form` is the one production sets (`backupFormOf`) and its inventory is production's shape. */
  shape: 'production' | 'beyond-production';
  input: RetentionInput;
  /** run id → kind of owner, for the independent checks. */
  owners: Map<string, OwnerKind>;
  /** Where the planner runs: the source region (volumes known) or a copy region. */
  role: 'source' | 'copy';
}

const tagsFor = (owner: OwnerKind, runId: string, at: string): Record<string, string> =>
  owner === 'unmanaged'
    ? { Name: 'hand-made' }
    : {
        'shipyard:managed': 'true',
        'shipyard:policy': owner === 'other-policy' ? 'weekly' : POLICY,
        'shipyard:target': owner === 'other-target' ? 'i-0fedcba9876543210' : TARGET,
        'shipyard:run': runId,
        'shipyard:created-at': at,
      };

const scenarioOfShape = (shape: Scenario['shape']): fc.Arbitrary<Scenario> =>
  fc
    .record({
      runs: fc.array(runArb, { maxLength: 14 }),
      // Real backups claim an instant in the past (a claim after `now` is never ours).
      minuteOffsets: fc.uniqueArray(fc.integer({ min: 1, max: 400 * 24 * 60 }), {
        minLength: 14,
        maxLength: 14,
      }),
      crossRefs: fc.array(fc.tuple(fc.nat(13), fc.nat(13)), { maxLength: 3 }),
      retention: retentionArb,
      maxDeletesPerRun: fc.integer({ min: 0, max: 30 }),
      timeZone: fc.constantFrom(
        'Europe/Berlin',
        'America/New_York',
        'UTC',
        'Asia/Kolkata',
        'Australia/Lord_Howe',
      ),
      protectSomeId: fc.boolean(),
      /** The instance option that decides the form (the target is an instance, `TARGET`). */
      excludeBootVolume: fc.option(fc.boolean(), { nil: undefined }),
      role: fc.constantFrom<'source' | 'copy'>('source', 'copy'),
    })
    .map(
      ({
        runs,
        minuteOffsets,
        crossRefs,
        retention,
        maxDeletesPerRun,
        timeZone,
        protectSomeId,
        excludeBootVolume,
        role,
      }) => {
        // As discovery sets it (functions/backup-discover-targets/handler.ts, instanceTarget).
        const form = backupFormOf({
          kind: 'instance',
          ...(excludeBootVolume === undefined ? {} : { excludeBootVolume }),
        });
        // A snapshots-only target never registers an AMI (only beyond production does it have one).
        const registersImages = form === 'image' || shape === 'beyond-production';
        const images: ImageRecord[] = [];
        const snapshots: SnapshotRecord[] = [];
        const owners = new Map<string, OwnerKind>();
        runs.forEach((run, index) => {
          const runId = run.isCurrent ? CURRENT_RUN : `run-${index}`;
          const atMs = run.isCurrent ? NOW_MS : NOW_MS - (minuteOffsets[index] ?? 1) * MINUTE;
          const at = new Date(atMs).toISOString();
          const made = new Date(atMs + run.delayMinutes * MINUTE).toISOString();
          if (!run.isCurrent) owners.set(runId, run.owner);
          const tags = tagsFor(run.owner, runId, at);
          const snapIds = run.snapshotStates.map((state, i) => {
            const snapshotId = `snap-${index}-${i}`;
            const volumeId = role === 'copy' ? COPY_VOLUME_ID : (TARGET_VOLUMES[i] ?? 'vol-0');
            snapshots.push({ snapshotId, state, startTime: made, tags, volumeId });
            return snapshotId;
          });
          if (run.hasImage && registersImages) {
            images.push({
              imageId: `ami-${index}`,
              name: imageName({
                policy: tags['shipyard:policy'] ?? 'golden',
                target: tags['shipyard:target'] ?? '',
                runId,
              }),
              state: run.imageState,
              creationDate: made,
              tags,
              snapshotIds: snapIds,
            });
          }
        });
        // Some AMIs also use snapshots of other runs (e.g. an operator's AMI built from ours).
        for (const [from, to] of crossRefs) {
          const image = images.find((i) => i.imageId === `ami-${from}`);
          const extra = snapshots
            .filter((s) => s.snapshotId.startsWith(`snap-${to}-`))
            .map((s) => s.snapshotId);
          if (image !== undefined) image.snapshotIds = [...new Set([...image.snapshotIds, ...extra])];
        }
        const protectedIds =
          protectSomeId && snapshots[0] !== undefined ? [snapshots[0].snapshotId] : undefined;
        const input: RetentionInput = {
          policy: POLICY,
          target: TARGET,
          region: REGION,
          runId: CURRENT_RUN,
          now: new Date(NOW_MS).toISOString(),
          timeZone,
          retention,
          maxDeletesPerRun,
          form,
          images,
          snapshots,
          recordedRunIds: [...owners.keys()],
          ...(role === 'source' ? { sourceVolumeIds: TARGET_VOLUMES } : {}),
          ...(protectedIds === undefined ? {} : { protectedIds }),
        };
        return { shape, input, owners, role };
      },
    )
    // Only image targets are copied to other regions (snapshots-only targets go straight to rotation).
    .filter(({ input, role }) => role === 'source' || input.form === 'image');

/** Scenarios of production's shape, and some beyond it (AMIs of a snapshots-only target). */
export const scenarioArb: fc.Arbitrary<Scenario> = fc.oneof(
  { arbitrary: scenarioOfShape('production'), weight: 3 },
  { arbitrary: scenarioOfShape('beyond-production'), weight: 1 },
);

/** Ways a resource can carry (some of) our tags without being Shipyard's. */
type ForgeryKind =
  | 'no-run-tag'
  | 'future-created-at'
  | 'wrong-name'
  | 'unrecorded-run'
  | 'foreign-volume'
  | 'other-policy'
  | 'other-target'
  | 'created-before-claim'
  | 'created-long-after-claim';

const forgeryArb = fc.record({
  kind: fc.constantFrom<ForgeryKind>(
    'no-run-tag',
    'future-created-at',
    'wrong-name',
    'unrecorded-run',
    'foreign-volume',
    'other-policy',
    'other-target',
    'created-before-claim',
    'created-long-after-claim',
  ),
  /** Which recorded run it claims (index into the recorded runs, if any). */
  claims: fc.nat(20),
  withImage: fc.boolean(),
  state: fc.constantFrom('available', 'completed', 'failed', 'pending'),
  /** Real snapshots a forged AMI also lists (any AMI may use any snapshot it can read). */
  usesReal: fc.array(fc.nat(40), { maxLength: 3 }),
  hoursAhead: fc.integer({ min: 1, max: 24 * 400 }),
});

/**
 * Adds forged or foreign resources to a scenario. Each violates at least one fact Shipyard
 * controls and a tag writer does not: the run record, the AMI name (unique per region, so
 * the real AMI's name cannot be reused), the source volume, AWS's own creation time, or the
 * tags of this policy and target.
 */
export function withForgeries(
  scenario: Scenario,
): fc.Arbitrary<{ input: RetentionInput; forgedIds: Set<string> }> {
  return fc.array(forgeryArb, { minLength: 1, maxLength: 6 }).map((forgeries) => {
    const input = scenario.input;
    const recorded = input.recordedRunIds ?? [];
    const images = [...input.images];
    const snapshots = [...input.snapshots];
    const forgedIds = new Set<string>();
    forgeries.forEach((f, n) => {
      const claimedRun =
        recorded.length > 0 ? (recorded[f.claims % recorded.length] ?? CURRENT_RUN) : CURRENT_RUN;
      const real = input.images.find((i) => i.tags['shipyard:run'] === claimedRun);
      let at = real?.tags['shipyard:created-at'] ?? new Date(NOW_MS - DAY).toISOString();
      let made = new Date(Math.max(Date.parse(at), NOW_MS - 3_600_000)).toISOString();
      let tags: Record<string, string> = { ...tagsFor('ours', claimedRun, at) };
      let volumeId = scenario.role === 'copy' ? COPY_VOLUME_ID : TARGET_VOLUMES[0];
      if (f.kind === 'no-run-tag') delete tags['shipyard:run'];
      if (f.kind === 'future-created-at') {
        at = new Date(NOW_MS + f.hoursAhead * 3_600_000).toISOString();
        made = new Date(NOW_MS - 60_000).toISOString();
        tags['shipyard:created-at'] = at;
      }
      if (f.kind === 'unrecorded-run') tags = tagsFor('ours', `forged-run-${n}`, at);
      if (f.kind === 'foreign-volume') volumeId = 'vol-0f0f0f0f0f0f0f0f0';
      if (f.kind === 'other-policy') tags = tagsFor('other-policy', claimedRun, at);
      if (f.kind === 'other-target') tags = tagsFor('other-target', claimedRun, at);
      if (f.kind === 'created-before-claim') made = new Date(Date.parse(at) - DAY).toISOString();
      if (f.kind === 'created-long-after-claim') {
        at = new Date(NOW_MS - 4 * DAY - f.hoursAhead * 3_600_000).toISOString();
        made = new Date(NOW_MS - 60_000).toISOString();
        tags['shipyard:created-at'] = at;
      }
      // The name Shipyard would give it, unless an AMI in the region holds it (names are unique
      // per region); a foreign-volume forgery is about its snapshot, so its AMI is a hand-made one.
      const wanted = imageName({
        policy: tags['shipyard:policy'] ?? POLICY,
        target: tags['shipyard:target'] ?? TARGET,
        runId: tags['shipyard:run'] ?? claimedRun,
      });
      const name =
        f.kind === 'wrong-name' || f.kind === 'foreign-volume' || images.some((i) => i.name === wanted)
          ? `golden-image-${n}`
          : wanted;
      const snapshotId = `snap-forged-${n}`;
      // A forged snapshot must fail on its own: only the foreign-volume forgery relies on its
      // volume; copies carry the arbitrary id and are proven through an AMI of ours, which no
      // forgery is. A wrong name only disqualifies an AMI, so that snapshot takes a foreign volume.
      const snapVolume = f.kind === 'wrong-name' ? 'vol-0f0f0f0f0f0f0f0f0' : volumeId;
      snapshots.push({
        snapshotId,
        state: f.state === 'available' ? 'completed' : f.state,
        startTime: made,
        tags,
        ...(snapVolume === undefined ? {} : { volumeId: snapVolume }),
      });
      forgedIds.add(snapshotId);
      if (f.withImage) {
        const imageId = `ami-forged-${n}`;
        const reused = f.usesReal.flatMap((i) => {
          const s = input.snapshots[i % Math.max(1, input.snapshots.length)];
          return s === undefined ? [] : [s.snapshotId];
        });
        images.push({
          imageId,
          name,
          state: f.state === 'completed' ? 'available' : f.state,
          creationDate: made,
          tags,
          snapshotIds: [snapshotId, ...reused],
        });
        forgedIds.add(imageId);
      }
    });
    return { input: { ...input, images, snapshots }, forgedIds };
  });
}
