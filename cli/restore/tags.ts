/**
 * Tags of what `shipyard restore` creates. Deliberately **not** the managed tags of
 * shared/backup/tags.ts: a restored volume or a restore copy is the operator's, and
 * rotation must never select it. The copy's source tags also make a re-run find the copy
 * it started instead of paying for a second one (CopySnapshot has no ClientToken).
 */
const RESTORE_TAG_KEYS = {
  sourceSnapshot: 'shipyard:restore-source-snapshot',
  sourceRegion: 'shipyard:restore-source-region',
  sourceImage: 'shipyard:restore-source-image',
  restoredAt: 'shipyard:restored-at',
} as const;

export interface RestoreSource {
  snapshotId: string;
  region: string;
  imageId?: string;
}

/** Tags that identify a cross-region copy of `source` (used to find it again). */
export const copyIdentityTags = (source: RestoreSource): Record<string, string> => ({
  [RESTORE_TAG_KEYS.sourceSnapshot]: source.snapshotId,
  [RESTORE_TAG_KEYS.sourceRegion]: source.region,
});

/**
 * @example
 * restoreTags({ snapshotId: 'snap-1', region: 'ap-south-1' }, '2026-11-20T10:00:00.000Z', { Team: 'web' });
 * // { Team: 'web', 'shipyard:restore-source-snapshot': 'snap-1', 'shipyard:restore-source-region': 'ap-south-1', 'shipyard:restored-at': '2026-11-20T10:00:00.000Z' }
 */
export const restoreTags = (
  source: RestoreSource,
  restoredAt: string,
  userTags: Record<string, string>,
): Record<string, string> => ({
  ...userTags,
  ...copyIdentityTags(source),
  ...(source.imageId === undefined ? {} : { [RESTORE_TAG_KEYS.sourceImage]: source.imageId }),
  [RESTORE_TAG_KEYS.restoredAt]: restoredAt,
});

/** Tags of the cross-region copy: the user's, and where it came from (no restored-at: it is reused). */
export const copyTags = (
  source: RestoreSource,
  userTags: Record<string, string>,
): Record<string, string> => ({
  ...userTags,
  ...copyIdentityTags(source),
  ...(source.imageId === undefined ? {} : { [RESTORE_TAG_KEYS.sourceImage]: source.imageId }),
});
