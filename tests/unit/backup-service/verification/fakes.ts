/**
 * Fakes of the verification and drill ports over one simulated clock: instances go
 * pending → running → status checks initializing → ok on the clock (or never, or impaired,
 * per AMI), so tests are independent of the machine's speed.
 */

import type { IsolationFacts } from '../../../../shared/backup/isolation.ts';
import type { Ec2Tag } from '../../../../shared/backup/tags.ts';
import type {
  InstanceProbe,
  SweepInstance,
  VerificationLaunch,
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

  async runInstance(launch: VerificationLaunch) {
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
    });
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

  async verificationInstances(extraIds: readonly string[]): Promise<SweepInstance[]> {
    return [...this.instances.values()]
      .filter((i) => i.state !== 'terminated')
      .filter((i) => i.tags['shipyard:kind'] === 'verification' || extraIds.includes(i.instanceId))
      .map((i) => ({
        instanceId: i.instanceId,
        state: i.state,
        tags: i.tags,
        launchTime: new Date(i.launchedMs).toISOString(),
      }));
  }

  async tagImage(imageId: string, tags: readonly Ec2Tag[]) {
    this.imageTags.set(imageId, [...(this.imageTags.get(imageId) ?? []), ...tags]);
  }
}

export class FakeVerificationStore implements VerificationStore {
  readonly records: VerificationRecord[] = [];
  readonly launched = new Map<string, { region: string; instanceId: string; deadline: string }>();
  async putResult(record: VerificationRecord) {
    this.records.push(record);
  }
  async results(region?: string) {
    return this.records.filter((r) => region === undefined || r.region === region);
  }
  async recordLaunch(launch: { region: string; instanceId: string; deadline: string }) {
    this.launched.set(`${launch.region}/${launch.instanceId}`, launch);
  }
  async launches(region: string) {
    return [...this.launched.values()].filter((l) => l.region === region);
  }
  async forgetLaunch(region: string, instanceId: string) {
    this.launched.delete(`${region}/${instanceId}`);
  }
}
