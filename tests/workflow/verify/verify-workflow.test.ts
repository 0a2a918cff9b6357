/**
 * The deployed verification state machine (statemachines/verify.asl.yaml) run by
 * aws-local-stepfunctions, each Task bound to its real handler over the real adapters and the
 * local cloud: pass, fail (checks that never pass → the deadline), a crash of a round (Catch →
 * Cleanup terminates what was launched) and the scheduled sweep (a recorded leftover past its
 * deadline terminated, an instance that is not Shipyard's left alone). Each Wait is 0 ms and
 * the round after it first advances the simulated clock by the seconds it would have waited.
 *
 * EC2 behaviour relied on: DescribeInstanceStatus reports `SystemStatus` / `InstanceStatus`
 * `initializing` until the checks pass, then `ok` (EC2 API Reference, InstanceStatusSummary;
 * "Status checks for Amazon EC2 instances", EC2 User Guide).
 */
import { readFileSync } from 'node:fs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeHandler as makeCheck } from '../../../functions/verify-check/handler.ts';
import { makeHandler as makeCleanup } from '../../../functions/verify-cleanup/handler.ts';
import { makeHandler as makeStart } from '../../../functions/verify-start/handler.ts';
import { makeHandler as makeSweep } from '../../../functions/verify-sweep/handler.ts';
import { createVerificationEc2Factory } from '../../../shared/aws/ec2-verification.ts';
import { createS3VerificationStore } from '../../../shared/aws/s3-verification-store.ts';
import { createManagedInstances } from '../../../shared/aws/ssm-instances.ts';
import { deployedPoliciesOf } from '../../../shared/backup-service/deployed-policies.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import type {
  VerificationProgress,
  VerificationRoundDeps,
} from '../../../shared/backup-service/verify-rounds.ts';
import { backupPolicySchema } from '../../../shared/config/policies.ts';

const REGION = 'ap-south-1';
const BUCKET = 'shipyard-test-runs';
const SUBNET = 'subnet-0a51f1ed0000000a1';
const SG = 'sg-0a51f1ed0000000a1';
const VPC = 'vpc-0a51f1ed0000000a1';

const local = useLocalCloud();

const policyWith = (imageIds: string[], deadlineSeconds = 300) =>
  backupPolicySchema.parse({
    name: 'nightly',
    schedule: { cron: 'cron(0 2 * * ? *)', timeZone: 'Asia/Kolkata' },
    sourceRegion: REGION,
    targets: { tags: { Backup: 'nightly' } },
    retention: { keepLast: 3 },
    verify: {
      regions: [{ region: REGION, subnetId: SUBNET, securityGroupId: SG }],
      images: { imageIds },
      deadlineSeconds,
    },
  });

/** The network, the bucket and one AMI per guest behaviour (AMIs Shipyard did not make). */
async function seed(guests: ('pass' | 'never-ready')[]) {
  await new S3Client(clientConfig(local().url)).send(new CreateBucketCommand({ Bucket: BUCKET }));
  const seeded = await local().control.seed<{
    ec2: { images: { imageId: string }[]; instances: { instanceId: string }[] };
  }>({
    ec2: {
      network: {
        vpcs: [{ region: REGION, vpcId: VPC, cidrBlock: '10.20.0.0/16' }],
        subnets: [{ region: REGION, subnetId: SUBNET, vpcId: VPC, cidrBlock: '10.20.1.0/24' }],
        securityGroups: [{ region: REGION, groupId: SG, groupName: 'verification', vpcId: VPC }],
      },
      images: guests.map((statusChecks, i) => ({
        region: REGION,
        name: `golden-${i}`,
        architecture: 'x86_64',
        blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
        guest: { statusChecks },
      })),
      // Someone else's instance: nothing of the verification may touch it.
      instances: [
        {
          region: REGION,
          name: 'stranger',
          availabilityZone: `${REGION}a`,
          architecture: 'x86_64',
          rootDeviceName: '/dev/xvda',
          instanceType: 't3.micro',
          volumes: [{ deviceName: '/dev/xvda', sizeGiB: 8, volumeType: 'gp3', deleteOnTermination: true }],
        },
      ],
    },
  });
  return { images: seeded.ec2.images.map((i) => i.imageId), stranger: seeded.ec2.instances[0]?.instanceId };
}

function deps(policies: ReturnType<typeof policyWith>[]): VerificationRoundDeps & {
  policies: ReturnType<typeof deployedPoliciesOf>;
} {
  const url = local().url;
  const ec2 = createVerificationEc2Factory({
    clientFor: (region) => new EC2Client(clientConfig(url, region)),
  });
  const store = createS3VerificationStore({ bucket: BUCKET, config: clientConfig(url) });
  const now = () => new Date(local().cloud.now());
  const { region: _r, ...config } = clientConfig(url);
  return {
    ec2,
    ssm: createManagedInstances({ config }),
    store,
    recordedRunIds: async () => [],
    now,
    sweep: { ec2, store, now },
    policies: deployedPoliciesOf(policies),
  };
}

const definition = () =>
  JSON.parse(
    JSON.stringify(parse(readFileSync('statemachines/verify.asl.yaml', 'utf8'))).replace(
      /"\$\{([A-Za-z0-9]+)\}"/g,
      (_m, key: string) => `"arn:aws:lambda:us-east-1:123456789012:function:shipyard-dev-${key}"`,
    ),
  );

/** One execution; `crashCheckAfter` rounds makes the next round throw (a Lambda crash). */
async function execute(
  d: ReturnType<typeof deps>,
  input: unknown,
  options: { crashCheckAfter?: number } = {},
) {
  const check = makeCheck(d);
  let rounds = 0;
  const handlers = {
    Start: makeStart(d),
    Check: async (event: unknown) => {
      // Every round but the first follows the Poll Wait: its seconds pass on the simulated clock.
      if (rounds > 0) local().cloud.clock.advance((event as VerificationProgress).pollSeconds * 1000);
      rounds += 1;
      if (options.crashCheckAfter !== undefined && rounds > options.crashCheckAfter)
        throw new Error('Lambda crashed');
      return check(event);
    },
    Cleanup: makeCleanup(d),
  };
  const machine = new StateMachine(definition(), { validationOptions: { checkPaths: true, checkArn: true } });
  const run = machine.run(input as never, {
    context: {
      Execution: { Name: 'verify-nightly-test', Id: 'arn:aws:states:us-east-1:123456789012:execution:v:t' },
    },
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: { Poll: 0 },
      retryIntervalOverrides: { Start: 0, Check: 0, Cleanup: 0 },
    },
  });
  try {
    return { status: 'SUCCEEDED' as const, output: (await run.result) as VerificationProgress, rounds };
  } catch (error) {
    return { status: 'FAILED' as const, error: (error as Error).name ?? String(error), rounds };
  }
}

const aliveInstances = async () => {
  const state = await local().control.state<{
    ec2: {
      regions: Record<
        string,
        { instances: { instanceId: string; state: string; tags: Record<string, string> }[] }
      >;
    };
  }>();
  return (state.ec2.regions[REGION]?.instances ?? []).filter(
    (i) => !['terminated', 'shutting-down'].includes(i.state),
  );
};

describe('the verification state machine on the local cloud', () => {
  it('passes an AMI whose checks pass, fails one whose checks never pass at its deadline, terminates both', async () => {
    const { images, stranger } = await seed(['pass', 'never-ready']);
    const policy = policyWith(images, 300);
    const run = await execute(deps([policy]), { policy: 'nightly' });
    expect(run.status).toBe('SUCCEEDED');
    const byImage = new Map(run.output?.results.map((r) => [r.imageId, r]));
    expect(byImage.get(images[0] ?? '')).toMatchObject({ status: 'passed', ours: false });
    expect(byImage.get(images[0] ?? '')?.secondsToPass).toBeGreaterThan(0);
    expect(byImage.get(images[1] ?? '')).toMatchObject({ status: 'failed' });
    expect(byImage.get(images[1] ?? '')?.reason).toMatch(/^timeout: not passed within 300 s/);
    // Several Poll rounds, and nothing of the verification left running; the stranger untouched.
    expect(run.rounds).toBeGreaterThan(2);
    expect((await aliveInstances()).map((i) => i.instanceId)).toEqual([stranger]);
  });

  it('after a crashed round, Cleanup terminates what the execution launched and the execution fails', async () => {
    const { images, stranger } = await seed(['never-ready']);
    const d = deps([policyWith(images)]);
    const run = await execute(d, { policy: 'nightly' }, { crashCheckAfter: 2 });
    expect(run).toMatchObject({ status: 'FAILED' });
    expect((await aliveInstances()).map((i) => i.instanceId)).toEqual([stranger]);
    expect(await d.store.launches(REGION)).toEqual([]);
  });

  it('skips a dry-run backup and a policy without afterRun when started by the after-a-run rule', async () => {
    const { images } = await seed(['pass']);
    const detail = (input: object) => ({
      status: 'SUCCEEDED',
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:shipyard-dev-backup:nightly-2026-12-02',
      input: JSON.stringify(input),
    });
    const run = await execute(deps([policyWith(images)]), detail({ policy: 'nightly' }));
    expect(run.output).toMatchObject({ done: true, skipped: 'policy nightly does not verify after a run' });
    const dry = await execute(deps([policyWith(images)]), detail({ policy: 'nightly', dryRun: true }));
    expect(dry.output?.skipped).toBe('the backup run was a dry run');
    expect((await aliveInstances()).filter((i) => i.tags['shipyard:kind'] === 'verification')).toEqual([]);
  });

  it('sweeps a recorded leftover past its deadline and leaves an instance that is not Shipyard’s alone', async () => {
    // Prepare: a verification dies with its instance running (no Cleanup: a stopped execution).
    const { images, stranger } = await seed(['never-ready']);
    const d = deps([policyWith(images, 300)]);
    await makeStart(d)({ request: { policy: 'nightly' }, verificationId: 'verify-left' }).then((p) =>
      makeCheck(d)(p),
    );
    const leftover = (await aliveInstances()).find((i) => i.tags['shipyard:kind'] === 'verification');
    expect(leftover).toBeDefined();
    const sweep = makeSweep({ ...d, logger: silentLogger });
    // Act: before the deadline nothing goes; after it the leftover does.
    const early = await sweep();
    local().cloud.clock.advance(301_000);
    const late = await sweep();
    // Assess
    expect(early.swept).toEqual({ [REGION]: [] });
    expect(late.swept).toEqual({ [REGION]: [leftover?.instanceId] });
    expect((await aliveInstances()).map((i) => i.instanceId)).toEqual([stranger]);
  });
});

/**
 * The crash window of a launch: the intent (the launch's ClientToken) is recorded before
 * RunInstances, the instance after it. EC2: "If you repeat the request with the same client
 * token and the same parameters, you get the same response" and the instance carries the
 * token (Instance.ClientToken; DescribeInstances filter `client-token`: "The idempotency
 * token you provided when you launched the instance") — EC2 Developer Guide, "Ensuring
 * idempotency in Amazon EC2 API requests"; EC2 API Reference, DescribeInstances.
 */
describe('a Lambda killed between RunInstances and the record of its instance', () => {
  /** The store refuses the record of the instance once: the function died right after RunInstances. */
  const killedAfterRunInstances = (d: ReturnType<typeof deps>) => {
    let killed = 0;
    const store = {
      ...d.store,
      recordLaunch: async (launch: Parameters<typeof d.store.recordLaunch>[0]) => {
        if (launch.instanceId !== undefined && killed === 0) {
          killed += 1;
          throw new Error('Lambda killed after RunInstances');
        }
        return d.store.recordLaunch(launch);
      },
    };
    return { ...d, store, sweep: { ...d.sweep, store } };
  };

  it('the local EC2 honours RunInstances ClientToken: same instance again, found by the client-token filter', async () => {
    const { images } = await seed(['pass']);
    const ec2 = createVerificationEc2Factory({
      clientFor: (region) => new EC2Client(clientConfig(local().url, region)),
    })(REGION);
    const launch = {
      imageId: images[0] ?? '',
      instanceType: 't3.micro',
      subnetId: SUBNET,
      securityGroupIds: [SG],
      associatePublicIpAddress: false as const,
      instanceInitiatedShutdownBehavior: 'terminate' as const,
      clientToken: 'verify-token-test:ami',
      tagSpecifications: [],
    };
    const first = await ec2.runInstance(launch);
    const again = await ec2.runInstance(launch);
    expect(again.instanceId).toBe(first.instanceId);
    const found = await ec2.verificationInstances([], ['verify-token-test:ami']);
    expect(found.map((i) => [i.instanceId, i.clientToken])).toEqual([
      [first.instanceId, 'verify-token-test:ami'],
    ]);
    await expect(ec2.runInstance({ ...launch, instanceType: 't3.small' })).rejects.toThrow(
      /IdempotentParameterMismatch|different parameters/,
    );
  });

  it('Cleanup terminates the unrecorded instance by its recorded intent, and the execution fails', async () => {
    const { images, stranger } = await seed(['never-ready']);
    const d = killedAfterRunInstances(deps([policyWith(images)]));
    const run = await execute(d, { policy: 'nightly' });
    expect(run.status).toBe('FAILED');
    expect((await aliveInstances()).map((i) => i.instanceId)).toEqual([stranger]);
    expect(await d.store.launches(REGION)).toEqual([]);
  });

  it('with no Cleanup (a stopped execution), the sweep terminates it past its deadline, found by its ClientToken', async () => {
    const { images, stranger } = await seed(['never-ready']);
    const d = killedAfterRunInstances(deps([policyWith(images, 300)]));
    const started = await makeStart(d)({ request: { policy: 'nightly' }, verificationId: 'verify-killed' });
    await expect(makeCheck(d)(started)).rejects.toThrow('Lambda killed after RunInstances');
    const orphan = (await aliveInstances()).find((i) => i.tags['shipyard:kind'] === 'verification');
    expect(orphan).toBeDefined();
    // Only the intent is recorded: no instance id.
    expect(await d.store.launches(REGION)).toEqual([
      expect.not.objectContaining({ instanceId: expect.anything() }),
    ]);
    const sweep = makeSweep({ ...d, logger: silentLogger });
    const early = await sweep();
    local().cloud.clock.advance(301_000);
    const late = await sweep();
    expect(early.swept).toEqual({ [REGION]: [] });
    expect(late.swept).toEqual({ [REGION]: [orphan?.instanceId] });
    expect((await aliveInstances()).map((i) => i.instanceId)).toEqual([stranger]);
    expect(await d.store.launches(REGION)).toEqual([]);
  });

  it('a retried round after the kill launches nothing new: the same ClientToken returns the same instance', async () => {
    const { images } = await seed(['pass']);
    const d = killedAfterRunInstances(deps([policyWith(images)]));
    const started = await makeStart(d)({ request: { policy: 'nightly' }, verificationId: 'verify-retried' });
    await expect(makeCheck(d)(started)).rejects.toThrow('Lambda killed after RunInstances');
    const retried = await makeCheck(d)(started);
    const ours = (await aliveInstances()).filter((i) => i.tags['shipyard:kind'] === 'verification');
    expect(ours).toHaveLength(1);
    expect(retried.active.map((a) => a.instanceId)).toEqual([ours[0]?.instanceId]);
    expect((await d.store.launches(REGION)).map((l) => l.instanceId)).toEqual([ours[0]?.instanceId]);
  });
});
