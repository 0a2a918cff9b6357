/**
 * Which verification instances the cleanup sweep terminates: only launches Shipyard recorded
 * (a tag alone is no proof — anyone allowed to tag can make an instance look like ours), past
 * their recorded deadline or their `shipyard:deadline` tag.
 */
import { describe, expect, it } from 'vitest';
import { type SweepInstance, sweepVerificationInstances } from '../../../shared/backup/verification.ts';

const T0 = Date.parse('2026-12-02T03:00:00Z');
const DEADLINE = new Date(T0 + 900_000).toISOString();
const ours = { 'shipyard:managed': 'true', 'shipyard:kind': 'verification', 'shipyard:deadline': DEADLINE };
const instance = (instanceId: string, tags: Record<string, string>, state = 'running'): SweepInstance => ({
  instanceId,
  state,
  tags,
  launchTime: new Date(T0).toISOString(),
});
const at = (ms: number) => ({ nowMs: T0 + ms, maxLifetimeMs: 3_600_000 });

describe('sweepVerificationInstances', () => {
  const instances = [
    instance('i-recorded-tagged', ours),
    instance('i-recorded-untagged', {}),
    instance('i-tagged-only', ours),
    instance('i-stranger', { Name: 'web' }),
    instance('i-recorded-gone', ours, 'terminated'),
  ];
  const recorded = ['i-recorded-tagged', 'i-recorded-untagged', 'i-recorded-gone'].map((instanceId) => ({
    instanceId,
    deadline: DEADLINE,
  }));

  it.each([
    ['before every deadline: nothing', 899_000, []],
    ['past the deadline: the recorded live ones only', 900_000, ['i-recorded-tagged', 'i-recorded-untagged']],
    ['an hour later: still never an unrecorded one', 4_600_000, ['i-recorded-tagged', 'i-recorded-untagged']],
  ])('%s', (_name, ms, expected) => {
    expect(sweepVerificationInstances(instances, recorded, at(ms))).toEqual(expected);
  });

  it('ends a recorded instance at its tagged deadline when that comes before the recorded one', () => {
    const early = new Date(T0 + 300_000).toISOString();
    const tagged = [instance('i-1', { ...ours, 'shipyard:deadline': early })];
    expect(
      sweepVerificationInstances(tagged, [{ instanceId: 'i-1', deadline: DEADLINE }], at(300_000)),
    ).toEqual(['i-1']);
  });

  it('finds an intent recorded before RunInstances by the instance ClientToken, never an unrecorded token', () => {
    // EC2 API Reference, Instance.ClientToken: "The idempotency token you provided when you
    // launched the instance" — the intent id Shipyard recorded before RunInstances.
    const launched = [
      { ...instance('i-from-intent', ours), clientToken: 'verify-1:ami-1' },
      { ...instance('i-other-token', ours), clientToken: 'verify-9:ami-9' },
    ];
    const intents = [{ intentId: 'verify-1:ami-1', deadline: DEADLINE }];
    expect(sweepVerificationInstances(launched, intents, at(899_000))).toEqual([]);
    expect(sweepVerificationInstances(launched, intents, at(900_000))).toEqual(['i-from-intent']);
  });
});
