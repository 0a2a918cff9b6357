import { describe, expect, it } from 'vitest';
import {
  copyImageTagSpecifications,
  isManagedBy,
  registerImageTagSpecifications,
  runIdOf,
  snapshotTagSpecifications,
  TAG_KEYS,
  tagsToRecord,
} from '../../../shared/backup/tags.ts';

const ctx = {
  policy: 'nightly',
  target: 'i-0123456789abcdef0',
  runId: 'nightly-2026-11-20',
  createdAt: '2026-11-20T01:00:00.000Z',
  sourceRegion: 'eu-west-1',
};

describe('tag specifications', () => {
  it('tags snapshots at creation with the whole contract', () => {
    expect(snapshotTagSpecifications(ctx)).toEqual([
      {
        ResourceType: 'snapshot',
        Tags: [
          { Key: 'shipyard:managed', Value: 'true' },
          { Key: 'shipyard:policy', Value: 'nightly' },
          { Key: 'shipyard:target', Value: 'i-0123456789abcdef0' },
          { Key: 'shipyard:run', Value: 'nightly-2026-11-20' },
          { Key: 'shipyard:created-at', Value: '2026-11-20T01:00:00.000Z' },
          { Key: 'shipyard:source-region', Value: 'eu-west-1' },
          { Key: 'shipyard:kind', Value: 'snapshot' },
        ],
      },
    ]);
  });

  it('tags only the image on RegisterImage', () => {
    const specs = registerImageTagSpecifications(ctx);
    expect(specs.map((s) => s.ResourceType)).toEqual(['image']);
    expect(tagsToRecord(specs[0]?.Tags)[TAG_KEYS.kind]).toBe('image');
  });

  it('tags the copied image and its snapshots with the source image', () => {
    const specs = copyImageTagSpecifications(ctx, 'ami-0source');
    expect(specs.map((s) => s.ResourceType)).toEqual(['image', 'snapshot']);
    for (const spec of specs) {
      const tags = tagsToRecord(spec.Tags);
      expect(tags[TAG_KEYS.sourceImage]).toBe('ami-0source');
      expect(tags[TAG_KEYS.kind]).toBe(spec.ResourceType);
      expect(isManagedBy(spec.Tags, 'nightly', 'i-0123456789abcdef0')).toBe(true);
    }
  });
});

describe('isManagedBy', () => {
  const good = { 'shipyard:managed': 'true', 'shipyard:policy': 'nightly', 'shipyard:target': 'i-1' };
  it.each([
    { name: 'all three tags match', tags: good, expected: true },
    {
      name: 'as an EC2 tag list',
      tags: Object.entries(good).map(([Key, Value]) => ({ Key, Value })),
      expected: true,
    },
    { name: 'managed is not "true"', tags: { ...good, 'shipyard:managed': 'TRUE' }, expected: false },
    { name: 'other policy', tags: { ...good, 'shipyard:policy': 'weekly' }, expected: false },
    { name: 'other target', tags: { ...good, 'shipyard:target': 'i-2' }, expected: false },
    {
      name: 'no managed tag',
      tags: { 'shipyard:policy': 'nightly', 'shipyard:target': 'i-1' },
      expected: false,
    },
    { name: 'no tags', tags: undefined, expected: false },
    { name: 'tag list with missing values', tags: [{ Key: 'shipyard:managed' }], expected: false },
  ])('$name → $expected', ({ tags, expected }) => {
    expect(isManagedBy(tags, 'nightly', 'i-1')).toBe(expected);
  });

  it('reads the run id', () => {
    expect(runIdOf([{ Key: 'shipyard:run', Value: 'r1' }])).toBe('r1');
    expect(runIdOf({})).toBeUndefined();
  });
});
