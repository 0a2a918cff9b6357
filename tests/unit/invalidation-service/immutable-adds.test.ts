import { describe, expect, it } from 'vitest';
import type { ChangeSet } from '../../../shared/invalidation-service/change-set.ts';
import {
  MAX_METADATA_READS,
  type ObjectMetadataPort,
  withoutImmutableAdds,
} from '../../../shared/invalidation-service/immutable-adds.ts';
import { site } from './fixtures.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const reading = site({ name: 'web', keyPrefix: 'site/', invalidation: { immutableCacheControl: 'read' } });

const changeSet = (changes: ChangeSet['changes']): ChangeSet => ({
  site: 'web',
  deployId: 'd1',
  source: 's3',
  changes,
  paths: [],
});

const metadata = (headers: Record<string, string | Error>): ObjectMetadataPort & { reads: string[] } => {
  const reads: string[] = [];
  return {
    reads,
    async cacheControl(bucket, key) {
      reads.push(`${bucket}/${key}`);
      const header = headers[key];
      if (header instanceof Error) throw header;
      return header;
    },
  };
};

describe('withoutImmutableAdds', () => {
  it('leaves out added immutable objects only: a modified or deleted one is still invalidated', async () => {
    // Prepare
    const port = metadata({
      'site/logo.png': IMMUTABLE,
      'site/app.js': IMMUTABLE,
      'site/index.html': 'max-age=60',
    });
    const input = changeSet([
      { key: 'site/logo.png', change: 'added' },
      { key: 'site/app.js', change: 'modified' },
      { key: 'site/old.png', change: 'deleted' },
      { key: 'site/index.html', change: 'added' },
    ]);
    // Act
    const out = await withoutImmutableAdds(input, reading, port);
    // Assess
    expect(out.changes).toEqual([
      { key: 'site/app.js', change: 'modified' },
      { key: 'site/old.png', change: 'deleted' },
      { key: 'site/index.html', change: 'added' },
    ]);
    expect(port.reads.sort()).toEqual(['web-bucket/site/index.html', 'web-bucket/site/logo.png']);
  });

  it('invalidates an addition whose header cannot be read (never a miss)', async () => {
    const port = metadata({ 'site/a.png': new Error('AccessDenied'), 'site/b.png': IMMUTABLE });
    const out = await withoutImmutableAdds(
      changeSet([
        { key: 'site/a.png', change: 'added' },
        { key: 'site/b.png', change: 'added' },
      ]),
      reading,
      port,
    );
    expect(out.changes).toEqual([{ key: 'site/a.png', change: 'added' }]);
  });

  it('reads nothing for a site that does not ask, nor past MAX_METADATA_READS additions', async () => {
    // Prepare
    const port = metadata({});
    const many = changeSet(
      Array.from({ length: MAX_METADATA_READS + 1 }, (_, i) => ({
        key: `site/${i}.png`,
        change: 'added' as const,
      })),
    );
    const one = changeSet([{ key: 'site/logo.png', change: 'added' }]);
    // Act
    const notAsked = await withoutImmutableAdds(one, site({ name: 'web', keyPrefix: 'site/' }), port);
    const tooMany = await withoutImmutableAdds(many, reading, port);
    // Assess
    expect(notAsked).toBe(one);
    expect(tooMany).toBe(many);
    expect(port.reads).toEqual([]);
  });
});
