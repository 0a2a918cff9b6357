/**
 * Fakes of the drill ports on a simulated clock: an accelerator that is IN_PROGRESS for a
 * while after every update, alarms scripted over time, launch templates, an in-memory lock.
 */
import type { GroupState } from '../../../../shared/backup/drill.ts';
import type {
  Accelerators,
  AlarmStates,
  DrillLock,
  LaunchTemplates,
} from '../../../../shared/backup-service/ports/drill.ts';
import type { FakeClock } from './fakes.ts';

export class FakeAccelerators implements Accelerators {
  readonly writes: { arn: string; dial: number; atMs: number }[] = [];
  /** Seconds an update stays IN_PROGRESS, by written dial (default 10). */
  settleSeconds: Record<number, number> = {};
  failOnDial: number | undefined;
  private deployedAtMs = 0;
  constructor(
    private readonly clock: FakeClock,
    readonly groups: Map<string, GroupState>,
    readonly acceleratorArn: string,
  ) {}
  async status(arn: string) {
    if (arn !== this.acceleratorArn) return undefined;
    return this.clock.ms < this.deployedAtMs ? 'IN_PROGRESS' : 'DEPLOYED';
  }
  startInProgress(seconds: number) {
    this.deployedAtMs = this.clock.ms + seconds * 1000;
  }
  async endpointGroup(arn: string) {
    const group = this.groups.get(arn);
    return group === undefined ? undefined : structuredClone(group);
  }
  async setDial(arn: string, dial: number) {
    if (dial === this.failOnDial) throw new Error(`ThrottlingException on dial ${dial}`);
    const group = this.groups.get(arn);
    if (group === undefined) throw new Error('EndpointGroupNotFoundException');
    group.dial = dial;
    this.writes.push({ arn, dial, atMs: this.clock.ms });
    this.startInProgress(this.settleSeconds[dial] ?? 10);
  }
  dials(): number[] {
    return [...this.groups.values()].map((g) => g.dial);
  }
}

export class FakeAlarms implements AlarmStates {
  /** Alarm name → instant (ms) from which it is in ALARM. */
  readonly alarmingFrom = new Map<string, number>();
  constructor(
    private readonly clock: FakeClock,
    private readonly names: Record<string, string[]>,
  ) {}
  async states(region: string, names: readonly string[]) {
    const out = new Map<string, string>();
    for (const name of names) {
      if (!(this.names[region] ?? []).includes(name)) continue;
      const from = this.alarmingFrom.get(name);
      out.set(name, from !== undefined && this.clock.ms >= from ? 'ALARM' : 'OK');
    }
    return out;
  }
}

export class FakeTemplates implements LaunchTemplates {
  readonly versions: string[] = ['ami-00000000000000001'];
  constructor(readonly id: string) {}
  async latestImageId(_region: string, id: string) {
    if (id !== this.id) return undefined;
    return { version: this.versions.length, imageId: this.versions.at(-1) };
  }
  async createVersion(_region: string, _id: string, imageId: string) {
    this.versions.push(imageId);
    return this.versions.length;
  }
}

export class FakeLock implements DrillLock {
  readonly held = new Map<string, { owner: string; expiresAt: string; recorded?: unknown }>();
  constructor(private readonly clock: FakeClock) {}
  async holder(key: string) {
    return this.held.get(key);
  }
  async acquire(key: string, owner: string, expiresAt: string, recorded?: unknown) {
    const current = this.held.get(key);
    if (current !== undefined && Date.parse(current.expiresAt) > this.clock.ms)
      return { acquired: false as const, holder: current.owner };
    this.held.set(key, { owner, expiresAt, ...(recorded === undefined ? {} : { recorded }) });
    return { acquired: true as const };
  }
  async release(key: string, owner: string) {
    if (this.held.get(key)?.owner === owner) this.held.delete(key);
  }
}
