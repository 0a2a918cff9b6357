/**
 * The managed-tag contract: the only way Shipyard recognises what it created. Every
 * snapshot and AMI Shipyard makes is tagged **at creation** (TagSpecifications), and
 * rotation, IAM conditions and the operator CLI all read these keys from here.
 */

/** Tag keys Shipyard writes on every resource it creates. */
export const TAG_KEYS = {
  managed: 'shipyard:managed',
  policy: 'shipyard:policy',
  /** Instance id or volume id the backup was taken from. */
  target: 'shipyard:target',
  run: 'shipyard:run',
  /** ISO-8601 UTC instant of the backup run (copies carry the source's value). */
  createdAt: 'shipyard:created-at',
  sourceRegion: 'shipyard:source-region',
  /** On copies only: the AMI id in the source region. */
  sourceImage: 'shipyard:source-image',
  kind: 'shipyard:kind',
  /** On a verified AMI of ours: the UTC date it last passed a restore test. */
  verified: 'shipyard:verified',
  /** On an AMI of ours: `passed` or `failed`, the last restore test's result. */
  verificationResult: 'shipyard:verification-result',
  /** On a verification instance: the verification run that launched it. */
  verification: 'shipyard:verification',
  /** On a verification instance: the instant (ISO) past which the sweep terminates it. */
  deadline: 'shipyard:deadline',
  /** On a verification instance: the AMI it tests. */
  verifiedImage: 'shipyard:image',
} as const;

/** Value of `shipyard:managed` on everything Shipyard owns. */
export const MANAGED_TAG_VALUE = 'true';

/** Value of `shipyard:kind`. */
export type ResourceKind = 'snapshot' | 'image';

/** An EC2 tag, same shape as the EC2 API (`{ Key, Value }`). */
export interface Ec2Tag {
  Key: string;
  Value: string;
}

/** A TagSpecification entry of an EC2 create call. */
export interface TagSpecification {
  ResourceType: ResourceKind;
  Tags: Ec2Tag[];
}

/** Tags as the EC2 API returns them (fields optional) or as a plain record. */
export type TagsInput =
  | readonly { Key?: string | undefined; Value?: string | undefined }[]
  | Readonly<Record<string, string>>;

/** What identifies one backup run of one target. */
export interface BackupTagContext {
  policy: string;
  target: string;
  runId: string;
  /** ISO-8601 instant of the run (passed in: the domain never reads the clock). */
  createdAt: string;
  sourceRegion: string;
}

/**
 * Normalises tags to a record. Later duplicates win (EC2 never returns duplicates).
 *
 * @example
 * tagsToRecord([{ Key: 'a', Value: '1' }]); // { a: '1' }
 */
export function tagsToRecord(tags: TagsInput | undefined): Record<string, string> {
  if (tags === undefined) return {};
  if (!Array.isArray(tags)) return { ...(tags as Readonly<Record<string, string>>) };
  const out: Record<string, string> = {};
  for (const tag of tags as readonly { Key?: string; Value?: string }[]) {
    if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  }
  return out;
}

/**
 * The managed tags of one resource, in a stable order.
 *
 * @example
 * managedTags({ policy: 'nightly', target: 'i-0abc', runId: 'nightly-2026-11-20',
 *   createdAt: '2026-11-20T01:00:00.000Z', sourceRegion: 'eu-west-1' }, 'snapshot');
 * // [{ Key: 'shipyard:managed', Value: 'true' }, { Key: 'shipyard:policy', Value: 'nightly' }, …]
 */
export function managedTags(context: BackupTagContext, kind: ResourceKind, sourceImage?: string): Ec2Tag[] {
  const tags: Ec2Tag[] = [
    { Key: TAG_KEYS.managed, Value: MANAGED_TAG_VALUE },
    { Key: TAG_KEYS.policy, Value: context.policy },
    { Key: TAG_KEYS.target, Value: context.target },
    { Key: TAG_KEYS.run, Value: context.runId },
    { Key: TAG_KEYS.createdAt, Value: context.createdAt },
    { Key: TAG_KEYS.sourceRegion, Value: context.sourceRegion },
    { Key: TAG_KEYS.kind, Value: kind },
  ];
  if (sourceImage !== undefined) tags.push({ Key: TAG_KEYS.sourceImage, Value: sourceImage });
  return tags;
}

/**
 * TagSpecifications for `CreateSnapshot` (volume target) and `CreateSnapshots` (instance
 * target): the snapshots are tagged at creation.
 *
 * @example
 * snapshotTagSpecifications(ctx); // [{ ResourceType: 'snapshot', Tags: [...] }]
 */
export function snapshotTagSpecifications(context: BackupTagContext): TagSpecification[] {
  return [{ ResourceType: 'snapshot', Tags: managedTags(context, 'snapshot') }];
}

/**
 * TagSpecifications for `RegisterImage` (only `image` is allowed there: the snapshots
 * already exist and were tagged by the snapshot call).
 *
 * @example
 * registerImageTagSpecifications(ctx); // [{ ResourceType: 'image', Tags: [...] }]
 */
export function registerImageTagSpecifications(context: BackupTagContext): TagSpecification[] {
  return [{ ResourceType: 'image', Tags: managedTags(context, 'image') }];
}

/**
 * TagSpecifications for `CreateImage`: the AMI **and** the snapshots it takes of the
 * instance's volumes (CreateImage API reference: ResourceType `image` and/or `snapshot`).
 *
 * @example
 * createImageTagSpecifications(ctx); // [{ ResourceType: 'image', … }, { ResourceType: 'snapshot', … }]
 */
export function createImageTagSpecifications(context: BackupTagContext): TagSpecification[] {
  return [
    { ResourceType: 'image', Tags: managedTags(context, 'image') },
    { ResourceType: 'snapshot', Tags: managedTags(context, 'snapshot') },
  ];
}

/**
 * TagSpecifications for `CopyImage` in a destination region: the new AMI **and** the new
 * snapshots CopyImage creates are tagged, both carrying `shipyard:source-image`.
 * `context.createdAt` is the source run's instant, so copies bucket like their source.
 *
 * @example
 * copyImageTagSpecifications(ctx, 'ami-0123');
 * // [{ ResourceType: 'image', … }, { ResourceType: 'snapshot', … }]
 */
export function copyImageTagSpecifications(
  context: BackupTagContext,
  sourceImageId: string,
): TagSpecification[] {
  return [
    { ResourceType: 'image', Tags: managedTags(context, 'image', sourceImageId) },
    { ResourceType: 'snapshot', Tags: managedTags(context, 'snapshot', sourceImageId) },
  ];
}

/**
 * True when the tags mark a resource as Shipyard's, for this policy and this target.
 * Anything else is never selected for deletion.
 *
 * @example
 * isManagedBy([{ Key: 'shipyard:managed', Value: 'true' }, { Key: 'shipyard:policy', Value: 'p' },
 *   { Key: 'shipyard:target', Value: 'i-1' }], 'p', 'i-1'); // true
 */
export function isManagedBy(tags: TagsInput | undefined, policy: string, target: string): boolean {
  const record = tagsToRecord(tags);
  return (
    record[TAG_KEYS.managed] === MANAGED_TAG_VALUE &&
    record[TAG_KEYS.policy] === policy &&
    record[TAG_KEYS.target] === target
  );
}

/**
 * The run id a resource was created by, if tagged.
 *
 * @example
 * runIdOf({ 'shipyard:run': 'nightly-2026-11-20' }); // 'nightly-2026-11-20'
 */
export function runIdOf(tags: TagsInput | undefined): string | undefined {
  return tagsToRecord(tags)[TAG_KEYS.run];
}
