/**
 * Fakes of the verification and drill ports over one simulated clock: instances go
 * pending → running → status checks initializing → ok on the clock (or never, or impaired,
 * per AMI), so tests are independent of the machine's speed.
 */

import type { IsolationFacts } from '../../../../shared/backup/isolation.ts';
import type { Ec2Tag } from '../../../../shared/backup/tags.ts';
import {
  type InstanceProbe,
  launchKey,
  type RecordedLaunch,
  type SweepInstance,
  type VerificationLaunch,
} from '../../../../shared/backup/verification.ts';
import type { VerificationRecord } from '../../../../shared/backup/verification-record.ts';
import type {
  VerificationEc2,
  VerificationStore,
  VerifyImage,
} from '../../../../shared/backup-service/ports/verification.ts';

export class FakeClock {
  constructor(public ms: number) {}
  now = (): Date => new Date(this.ms);
  sleep = async (ms: number): Promise<void> => {
    this.ms += ms;
  };
}

/** How an AMI boots: passes after `passAfterSeconds`, `never` passes, or its instance check goes `impaired`. */
export type Boot = { passAfterSeconds: number } | 'never' | 'impaired';

interface FakeInstance {
  instanceId: string;
  imageId: string;
  launchedMs: number;
  state: string;
  tags: Record<string, string>;
  clientToken?: string;
}

export interface FakeRegion {
  images: VerifyImage[];
  isolation: IsolationFacts;
  boots?: Record<string, Boot>;
}

const RUNNING_AFTER_MS = 20_000;

export class FakeVerificationEc2 implements VerificationEc2 {
  readonly launches: VerificationLaunch[] = [];
  readonly instances = new Map<string, FakeInstance>();
  readonly imageTags = new Map<string, Ec2Tag[]>();
  maxAlive = 0;
  private next = 1;
  constructor(
    readonly region: string,
    private readonly clock: FakeClock,
    private readonly world: FakeRegion,
  ) {}

  async isolationFacts(): Promise<IsolationFacts> {
    return this.world.isolation;
  }

  async describeImages(query: { imageIds?: readonly string[]; tags?: Record<string, string> }) {
    return this.world.images.filter(
      (i) =>
        (query.imageIds === undefined || query.imageIds.includes(i.imageId)) &&
        Object.entries(query.tags ?? {}).every(([k, v]) => i.tags[k] === v),
    );
  }

  /** ClientToken → instance: a repeated RunInstances returns the same instance (EC2 idempotency). */
  readonly tokens = new Map<string, string>();
  async runInstance(launch: VerificationLaunch) {
    const known = this.tokens.get(launch.clientToken);
    const existing = known === undefined ? undefined : this.instances.get(known);
    if (existing !== undefined)
      return { instanceId: existing.instanceId, launchTime: new Date(existing.launchedMs).toISOString() };
    this.launches.push(launch);
    const instanceId = `i-${String(this.next++).padStart(17, '0')}`;
    const tags = Object.fromEntries(
      (launch.tagSpecifications.find((t) => t.ResourceType === 'instance')?.Tags ?? []).map((t) => [
        t.Key,
        t.Value,
      ]),
    );
    this.instances.set(instanceId, {
      instanceId,
      imageId: launch.imageId,
      launchedMs: this.clock.ms,
      state: 'pending',
      tags,
      clientToken: launch.clientToken,
    });
    this.tokens.set(launch.clientToken, instanceId);
    this.maxAlive = Math.max(this.maxAlive, this.alive().length);
    return { instanceId, launchTime: new Date(this.clock.ms).toISOString() };
  }

  alive(): FakeInstance[] {
    return [...this.instances.values()].filter((i) => i.state !== 'terminated');
  }

  async probe(ids: readonly string[]) {
    const out = new Map<string, InstanceProbe>();
    for (const id of ids) {
      const instance = this.instances.get(id);
      if (instance === undefined) continue;
      if (instance.state === 'terminated') {
        out.set(id, { state: 'terminated' });
        continue;
      }
      const elapsed = this.clock.ms - instance.launchedMs;
      if (elapsed < RUNNING_AFTER_MS) {
        out.set(id, { state: 'pending' });
        continue;
      }
      instance.state = 'running';
      const boot = this.world.boots?.[instance.imageId] ?? { passAfterSeconds: 90 };
      const checks =
        boot === 'never'
          ? 'initializing'
          : boot === 'impaired'
            ? elapsed >= 60_000
              ? 'impaired'
              : 'initializing'
            : elapsed >= boot.passAfterSeconds * 1000
              ? 'ok'
              : 'initializing';
      out.set(id, {
        state: 'running',
        systemStatus: checks === 'impaired' ? 'ok' : checks,
        instanceStatus: checks,
      });
    }
    return out;
  }

  terminateError: Error | undefined;
  async terminate(ids: readonly string[]) {
    if (this.terminateError !== undefined) throw this.terminateError;
    for (const id of ids) {
      const instance = this.instances.get(id);
      if (instance !== undefined) instance.state = 'terminated';
    }
  }

  async verificationInstances(
    extraIds: readonly string[],
    clientTokens: readonly string[] = [],
  ): Promise<SweepInstance[]> {
    return [...this.instances.values()]
      .filter((i) => i.state !== 'terminated')
      .filter(
        (i) =>
          i.tags['shipyard:kind'] === 'verification' ||
          extraIds.includes(i.instanceId) ||
          (i.clientToken !== undefined && clientTokens.includes(i.clientToken)),
      )
      .map((i) => ({
        instanceId: i.instanceId,
        state: i.state,
        tags: i.tags,
        launchTime: new Date(i.launchedMs).toISOString(),
        ...(i.clientToken === undefined ? {} : { clientToken: i.clientToken }),
      }));
  }

  async tagImage(imageId: string, tags: readonly Ec2Tag[]) {
    this.imageTags.set(imageId, [...(this.imageTags.get(imageId) ?? []), ...tags]);
  }
}

export class FakeVerificationStore implements VerificationStore {
  readonly records: VerificationRecord[] = [];
  readonly launched = new Map<string, RecordedLaunch & { region: string }>();
  async putResult(record: VerificationRecord) {
    this.records.push(record);
  }
  async results(region?: string) {
    return this.records.filter((r) => region === undefined || r.region === region);
  }
  async recordLaunch(launch: RecordedLaunch & { region: string }) {
    this.launched.set(`${launch.region}/${launchKey(launch)}`, launch);
  }
  async launches(region: string) {
    return [...this.launched.values()].filter((l) => l.region === region).map(({ region: _r, ...l }) => l);
  }
  async forgetLaunch(region: string, key: string) {
    this.launched.delete(`${region}/${key}`);
  }
}
