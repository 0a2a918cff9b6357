import { describe, expect, it, vi } from 'vitest';
import type { ObjectChange } from '../../../shared/invalidation/index.ts';
import type { ChangeSet } from '../../../shared/invalidation-service/change-set.ts';
import {
  changedUrlCount,
  inventoryAfterDeploy,
  loadInventory,
  wantsInventory,
} from '../../../shared/invalidation-service/inventory.ts';
import { site } from './fixtures.ts';

const web = (invalidation: Record<string, unknown> = {}) =>
  site({ name: 'web', keyPrefix: 'site/', invalidation });

const changeSet = (changes: ObjectChange[], paths: string[] = []): ChangeSet => ({
  site: 'web',
  deployId: 'd1',
  source: 's3',
  changes,
  paths,
});

const modified = (count: number): ObjectChange[] =>
  Array.from({ length: count }, (_, i) => ({ key: `site/p${i}.html`, change: 'modified' as const }));

describe('changedUrlCount', () => {
  it('counts every URL form of served keys once, and nothing for keys outside the prefix', () => {
    expect(
      changedUrlCount(
        [
          { key: 'site/index.html', change: 'modified' },
          { key: 'site/docs/index.html', change: 'deleted' },
          { key: 'other/a.html', change: 'added' },
        ],
        web(),
      ),
    ).toBe(5);
  });
});

describe('wantsInventory', () => {
  it.each([
    ['auto below the threshold', {}, modified(9), false],
    ['auto at the threshold', {}, modified(10), true],
    ['auto with a custom threshold', { inventoryMinUrls: 3 }, modified(3), true],
    ['always, even for one change', { inventory: 'always' }, modified(1), true],
    ['never, even for a large deploy', { inventory: 'never' }, modified(500), false],
    ['always, but only explicit paths', { inventory: 'always' }, [], false],
  ])('%s', (_name, settings, changes, expected) => {
    expect(wantsInventory(changeSet(changes), web(settings))).toBe(expected);
  });
});

describe('inventoryAfterDeploy', () => {
  it.each([
    ['listing already reflects the deploy', ['a', 'b'], [{ key: 'b', change: 'added' }], ['a', 'b']],
    [
      'an added key not listed yet joins, in order',
      ['a', 'c'],
      [{ key: 'b', change: 'added' }],
      ['a', 'b', 'c'],
    ],
    ['a deleted key still listed leaves', ['a', 'b', 'c'], [{ key: 'b', change: 'deleted' }], ['a', 'c']],
    ['a modified key is served', ['a'], [{ key: 'z', change: 'modified' }], ['a', 'z']],
  ] as [string, string[], ObjectChange[], string[]][])('%s', (_name, listed, changes, expected) => {
    expect(inventoryAfterDeploy(listed, changes)).toEqual(expected);
  });
});

describe('loadInventory', () => {
  it('falls back to no inventory (and warns) when the listing fails', async () => {
    const warn = vi.fn();
    const port = { listSiteKeys: vi.fn().mockRejectedValue(new Error('AccessDenied')) };
    const result = await loadInventory(changeSet(modified(20)), web(), port, { info: vi.fn(), warn });
    expect(result).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      'cannot list the site inventory; planning with the estimate',
      expect.objectContaining({ bucket: 'web-bucket' }),
    );
  });

  it('lists the site prefix with the caller cap and returns the post-deploy keys', async () => {
    const port = { listSiteKeys: vi.fn().mockResolvedValue(['site/old.html', 'site/p0.html']) };
    const changes: ObjectChange[] = [...modified(10), { key: 'site/old.html', change: 'deleted' }];
    const result = await loadInventory(changeSet(changes), web(), port, undefined, 5_000);
    expect(port.listSiteKeys).toHaveBeenCalledWith('web-bucket', 'site/', { maxKeys: 5_000 });
    expect(result).toEqual([...modified(10).map((c) => c.key)].sort());
  });

  it('does not list when the setting says it cannot change the plan', async () => {
    const port = { listSiteKeys: vi.fn() };
    expect(await loadInventory(changeSet(modified(2)), web(), port, undefined)).toBeUndefined();
    expect(port.listSiteKeys).not.toHaveBeenCalled();
  });
});
