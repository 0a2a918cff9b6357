import { describe, expect, it } from 'vitest';
import { normalizeDeployEvent } from '../../../shared/invalidation-service/deploy-event.ts';
import { SITES } from './fixtures.ts';

const event = (detail: unknown, overrides: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'e-1',
  source: 'shipyard',
  'detail-type': 'Deployment Completed',
  detail,
  ...overrides,
});

describe('normalizeDeployEvent', () => {
  it('maps changed files to keys under the site prefix and A/M/D to change kinds', () => {
    // Act
    const changeSet = normalizeDeployEvent(
      event({
        site: 'web',
        deployId: '9fceb02d0ae598e95dc970b74767f19372d61af8',
        changes: [
          { path: 'docs/index.html', status: 'M' },
          { path: 'new.html', status: 'A' },
          { path: '/old.html', status: 'D' },
        ],
      }),
      SITES,
    );
    // Assess
    expect(changeSet).toEqual({
      site: 'web',
      deployId: '9fceb02d0ae598e95dc970b74767f19372d61af8',
      source: 'eventbridge',
      changes: [
        { key: 'site/docs/index.html', change: 'modified' },
        { key: 'site/new.html', change: 'added' },
        { key: 'site/old.html', change: 'deleted' },
      ],
      paths: [],
    });
  });

  it('canonicalises explicit paths: encoded or not, never twice', () => {
    const changeSet = normalizeDeployEvent(
      event({ site: 'docs', deployId: 'd1', paths: ['/a b.html', '/a%20b.html', '/caf%C3%A9/*'] }),
      SITES,
    );
    expect(changeSet.paths).toEqual(['/a%20b.html', '/caf%C3%A9/*']);
    expect(changeSet.changes).toEqual([]);
  });

  it("falls back to the site's broad paths when the event lists neither changes nor paths", () => {
    const changeSet = normalizeDeployEvent(event({ site: 'docs', deployId: 'd2' }), SITES);
    expect(changeSet.paths).toEqual(['/docs/*', '/index.html']);
    expect(changeSet.reason).toBe('the deploy event lists neither changes nor paths');
  });

  it.each([
    [
      'a foreign source',
      event({ site: 'web', deployId: 'x' }, { source: 'acme.ci' }),
      'malformed eventbridge event: source: Invalid input: expected "shipyard"',
    ],
    [
      'a wrong detail-type',
      event({ site: 'web', deployId: 'x' }, { 'detail-type': 'Deploy' }),
      'malformed eventbridge event: detail-type: Invalid input: expected "Deployment Completed"',
    ],
    [
      'a missing deployId and a bad status',
      event({ site: 'web', changes: [{ path: 'a', status: 'X' }] }),
      'malformed eventbridge event: detail.deployId: Invalid input: expected string, received undefined; detail.changes[0].status: Invalid option: expected one of "A"|"M"|"D"',
    ],
    [
      'an unknown detail field',
      event({ site: 'web', deployId: 'x', chnages: [] }),
      'malformed eventbridge event: detail: Unrecognized key: "chnages"',
    ],
    [
      'an invalid explicit path',
      event({ site: 'web', deployId: 'x', paths: ['docs/*'] }),
      `malformed eventbridge event: detail.paths[0]: invalid invalidation path "docs/*": expected a path starting with '/'`,
    ],
  ])('rejects %s with a message naming the field', (_name, input, message) => {
    expect(() => normalizeDeployEvent(input, SITES)).toThrow(
      expect.objectContaining({ name: 'MalformedEventError', message }),
    );
  });

  it('rejects an unknown site, listing the known ones', () => {
    expect(() => normalizeDeployEvent(event({ site: 'shop', deployId: 'x' }), SITES)).toThrow(
      expect.objectContaining({
        name: 'UnknownSiteError',
        message: 'unknown site "shop": the config declares "web", "docs", "blog"',
      }),
    );
  });
});
