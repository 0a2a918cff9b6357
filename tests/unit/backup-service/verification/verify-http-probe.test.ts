/**
 * The HTTP probe step of a verification over fakes on a simulated clock: it runs only after
 * the status checks and SSM `Online`, a run that does not pass is sent again until the
 * deadline, and the result reports the probe's last answer.
 */
import { describe, expect, it } from 'vitest';
import type { CommandInvocation } from '../../../../shared/backup/http-probe.ts';
import type { ProbeCommands, VerifyImage } from '../../../../shared/backup-service/ports/verification.ts';
import { runVerification, type VerifyDeps } from '../../../../shared/backup-service/verify.ts';
import { type BackupPolicyInput, backupPolicySchema } from '../../../../shared/config/policies.ts';
import { FakeClock, FakeVerificationEc2, FakeVerificationStore } from './fakes.ts';

const REGION = 'ap-south-1';
const T0 = Date.parse('2026-12-02T03:00:00Z');
const IMAGE: VerifyImage = {
  imageId: 'ami-0000000000000f0a1',
  state: 'available',
  creationDate: '2026-12-01T20:30:00.000Z',
  architecture: 'x86_64',
  snapshotIds: ['snap-1'],
  tags: {},
};

const policyOf = (verify: Partial<NonNullable<BackupPolicyInput['verify']>>) =>
  backupPolicySchema.parse({
    name: 'nightly',
    schedule: { cron: 'cron(0 2 * * ? *)', timeZone: 'Asia/Kolkata' },
    sourceRegion: REGION,
    targets: { tags: { Backup: 'nightly' } },
    retention: { keepLast: 3 },
    verify: {
      regions: [{ region: REGION, subnetId: 'subnet-0a1b2c3d', securityGroupId: 'sg-0a1b2c3d' }],
      images: { imageIds: [IMAGE.imageId] },
      deadlineSeconds: 600,
      ...verify,
    },
  });

/** Run Command over the clock: each command ends `runMs` after it was sent with the next answer. */
class FakeCommands implements ProbeCommands {
  readonly sent: { instanceId: string; commands: readonly string[]; at: number }[] = [];
  constructor(
    private readonly clock: FakeClock,
    private readonly answers: CommandInvocation[],
    private readonly runMs = 5_000,
  ) {}
  async send(_region: string, instanceId: string, run: { commands: readonly string[] }) {
    this.sent.push({ instanceId, commands: run.commands, at: this.clock.ms });
    return `cmd-${this.sent.length}`;
  }
  async invocation(_region: string, commandId: string) {
    const n = Number(commandId.slice(4));
    const sent = this.sent[n - 1];
    if (sent === undefined) return undefined;
    if (this.clock.ms < sent.at + this.runMs)
      return { status: 'InProgress', responseCode: -1, stdout: '', stderr: '' };
    return this.answers[Math.min(n, this.answers.length) - 1];
  }
}

const answer = (code: string): CommandInvocation =>
  code === 'refused'
    ? { status: 'Failed', responseCode: 7, stdout: '000', stderr: 'curl: (7) Failed to connect' }
    : { status: 'Success', responseCode: 0, stdout: code, stderr: '' };

function world(answers: CommandInvocation[], online = true, runMs?: number) {
  const clock = new FakeClock(T0);
  const ec2 = new FakeVerificationEc2(REGION, clock, {
    images: [IMAGE],
    isolation: {
      subnet: { vpcId: 'vpc-1', routes: [{ destination: '10.0.0.0/16', target: 'local' }] },
      securityGroup: { vpcId: 'vpc-1', inboundRuleCount: 0 },
    },
    boots: { [IMAGE.imageId]: { passAfterSeconds: 60 } },
  });
  const commands = new FakeCommands(clock, answers, runMs);
  const deps: VerifyDeps = {
    ec2: () => ec2,
    ssm: { pingStatus: async (_r, ids) => new Map(online ? ids.map((id) => [id, 'Online']) : []) },
    commands,
    store: new FakeVerificationStore(),
    recordedRunIds: async () => [],
    now: clock.now,
    sleep: clock.sleep,
  };
  return { clock, ec2, commands, deps };
}

const probe = { port: 8080, path: '/health', expectStatus: 200 };

describe('verification with an HTTP probe', () => {
  it('passes once the service answers the expected status, retrying while it answers otherwise', async () => {
    // Prepare: the service answers 503 while it starts, then 200.
    const { ec2, commands, deps } = world([answer('503'), answer('200')]);
    // Act
    const report = await runVerification(deps, {
      policy: policyOf({ httpProbe: probe }),
      verificationId: 'v1',
    });
    // Assess: checks pass at the 60 s poll; probe 1 sent then, answered 503 at 75 s; probe 2 sent at 90 s, 200 at 105 s.
    const [result] = report.results;
    expect(result).toMatchObject({
      status: 'passed',
      secondsToPass: 105,
      httpProbe: {
        url: 'http://localhost:8080/health',
        expectStatus: 200,
        status: 'passed',
        httpStatus: 200,
        attempts: 2,
      },
    });
    expect(commands.sent.map((s) => s.at - T0)).toEqual([60_000, 90_000]);
    expect(commands.sent[0]?.commands).toEqual([
      "curl -sS -o /dev/null -w '%{http_code}' --max-time 10 'http://localhost:8080/health'",
    ]);
    expect(ec2.alive()).toHaveLength(0);
  });

  it('fails at the deadline with the last answer when the service answers 500', async () => {
    const { clock, ec2, deps } = world([answer('500')]);
    const report = await runVerification(deps, {
      policy: policyOf({ httpProbe: probe }),
      verificationId: 'v2',
    });
    const [result] = report.results;
    expect(result?.status).toBe('failed');
    expect(result?.reason).toBe(
      'timeout: HTTP probe not passed within 600 s (GET http://localhost:8080/health answered 500, expected 200)',
    );
    expect(result?.httpProbe).toMatchObject({ status: 'failed', httpStatus: 500 });
    expect(result?.secondsToPass).toBeUndefined();
    expect(clock.ms - T0).toBe(600_000);
    expect(ec2.alive()).toHaveLength(0);
  });

  it('fails when nothing listens, without an HTTP status', async () => {
    const { deps } = world([answer('refused')]);
    const report = await runVerification(deps, {
      policy: policyOf({ httpProbe: probe }),
      verificationId: 'v3',
    });
    expect(report.results[0]?.httpProbe).toEqual({
      url: 'http://localhost:8080/health',
      expectStatus: 200,
      status: 'failed',
      detail: 'GET http://localhost:8080/health: no HTTP answer (curl exit 7: curl: (7) Failed to connect)',
      attempts: expect.any(Number),
    });
  });

  it('never sends a probe to an instance SSM does not report Online (and says so)', async () => {
    const { commands, deps } = world([answer('200')], false);
    const report = await runVerification(deps, {
      policy: policyOf({ httpProbe: probe }),
      verificationId: 'v4',
    });
    expect(commands.sent).toEqual([]);
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/^timeout: .*SSM not registered/),
      httpProbe: { status: 'not run', attempts: 0 },
    });
  });

  it('refuses a policy with a probe when the runner has no Run Command client, launching nothing', async () => {
    const { ec2, deps } = world([answer('200')]);
    delete deps.commands;
    await expect(
      runVerification(deps, { policy: policyOf({ httpProbe: probe }), verificationId: 'v5' }),
    ).rejects.toThrow('backupPolicies[nightly].verify.httpProbe: this runner has no SSM Run Command client');
    expect(ec2.launches).toEqual([]);
  });

  it('fails at the deadline with no answer yet when the probe command never ends', async () => {
    const { commands, deps } = world([answer('200')], true, 3_600_000);
    const report = await runVerification(deps, {
      policy: policyOf({ httpProbe: probe }),
      verificationId: 'v6',
    });
    expect(commands.sent).toHaveLength(1);
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      reason: 'timeout: HTTP probe not passed within 600 s (no answer yet)',
      httpProbe: { status: 'failed', attempts: 1 },
    });
    expect(report.results[0]?.httpProbe?.detail).toBeUndefined();
  });

  it('keeps asking while SSM takes no command for the instance, and reports the probe not run', async () => {
    // Prepare: SendCommand answers InvalidInstanceId (not yet a registered managed node) every time.
    const { ec2, commands, deps } = world([answer('200')]);
    const port: ProbeCommands = commands;
    let refused = 0;
    port.send = async () => {
      refused += 1;
      return undefined;
    };
    // Act
    const report = await runVerification(deps, {
      policy: policyOf({ httpProbe: probe }),
      verificationId: 'v7',
    });
    // Assess: asked at every poll from the status checks' pass (60 s) to the deadline (600 s), both included.
    expect(refused).toBe((600 - 60) / 15 + 1);
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      reason: 'timeout: HTTP probe not passed within 600 s (SSM does not take commands for the instance yet)',
      httpProbe: {
        status: 'not run',
        attempts: 0,
        detail: 'SSM does not take commands for the instance yet',
      },
    });
    expect(ec2.alive()).toHaveLength(0);
  });

  it('reports a started probe failed when the instance stops before it answers', async () => {
    // Prepare: the instance is terminated from outside right after the probe was sent.
    const { ec2, commands, deps } = world([answer('200')], true, 3_600_000);
    const send = commands.send.bind(commands);
    commands.send = async (region, instanceId, run) => {
      const id = await send(region, instanceId, run);
      const instance = ec2.instances.get(instanceId);
      if (instance !== undefined) instance.state = 'terminated';
      return id;
    };
    // Act
    const report = await runVerification(deps, {
      policy: policyOf({ httpProbe: probe }),
      verificationId: 'v8',
    });
    // Assess
    expect(report.results[0]).toMatchObject({
      status: 'failed',
      reason: 'instance terminated before passing',
      httpProbe: { status: 'failed', attempts: 1 },
    });
  });
});
