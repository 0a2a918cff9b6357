import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeRegionsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, seedEc2, seedInstance } from './ec2-fixtures.ts';

// Speed 0: the simulated clock moves only when a test advances it, so bucket levels are exact.
const local = useLocalCloud({ clock: { speed: 0 } });

/** DescribeSnapshots with neither a filter nor pagination: the documented 50-token bucket. */
const unfiltered = () => new DescribeSnapshotsCommand({ OwnerIds: ['self'] });
const filtered = () =>
  new DescribeSnapshotsCommand({ Filters: [{ Name: 'status', Values: ['completed'] }], MaxResults: 5 });

/** Sends `n` requests one after the other and counts the successes. */
const succeeded = async (n: number, send: () => Promise<unknown>) => {
  let ok = 0;
  for (let i = 0; i < n; i += 1) {
    await send();
    ok += 1;
  }
  return ok;
};

const tallies = async () => (await local().control.counters()).tallies;

describe('EC2 request-rate throttling', () => {
  it('is off by default: a burst far above any bucket goes through', async () => {
    const ec2 = ec2Client(local().url);
    expect(await succeeded(120, () => ec2.send(unfiltered()))).toBe(120);
    expect((await tallies())['ec2.throttled']).toBeUndefined();
    const state = await local().control.state<{ ec2: { throttling: unknown } }>();
    expect(state.ec2.throttling).toBe('off');
  });

  it("answers RequestLimitExceeded (503) past the bucket with 'aws-default'", async () => {
    await seedEc2(local().control, { throttling: 'aws-default' });
    const ec2 = ec2Client(local().url);
    expect(await succeeded(50, () => ec2.send(unfiltered()))).toBe(50);
    const error = await expectAwsError(ec2.send(unfiltered()), 'RequestLimitExceeded');
    expect(error.$metadata.httpStatusCode).toBe(503);
    expect(error.message).toBe('Request limit exceeded.');
    // The same action filtered and paged draws on the larger non-mutating bucket.
    await ec2.send(filtered());
    const counted = await tallies();
    expect(counted['ec2.throttled']).toBe(1);
    expect(counted['ec2.throttled.DescribeSnapshots']).toBe(1);
    const state = await local().control.state<{
      ec2: { throttling: { buckets: Record<string, unknown>[] } };
    }>();
    expect(state.ec2.throttling.buckets).toContainEqual(
      expect.objectContaining({
        region: 'us-east-1',
        bucket: 'DescribeSnapshots(unfiltered)',
        capacity: 50,
        refillPerSecond: 10,
        lowestTokens: 0,
        throttled: 1,
      }),
    );
  });

  it('refills as the simulated clock advances, up to the bucket size', async () => {
    await seedEc2(local().control, { throttling: 'aws-default' });
    const ec2 = ec2Client(local().url);
    await succeeded(50, () => ec2.send(unfiltered()));
    await expectAwsError(ec2.send(unfiltered()), 'RequestLimitExceeded');

    await local().control.advance({ ms: 1_000 }); // 10 tokens a second
    expect(await succeeded(10, () => ec2.send(unfiltered()))).toBe(10);
    await expectAwsError(ec2.send(unfiltered()), 'RequestLimitExceeded');

    await local().control.advance({ minutes: 10 }); // far more than fits: capped at 50
    expect(await succeeded(50, () => ec2.send(unfiltered()))).toBe(50);
    await expectAwsError(ec2.send(unfiltered()), 'RequestLimitExceeded');
  });

  it('keeps one bucket per Region and per action: a Describe burst does not throttle CreateSnapshot', async () => {
    const { root } = await seedInstance(local().control);
    await seedEc2(local().control, { throttling: 'aws-default' });
    const east = ec2Client(local().url, 'us-east-1');
    const west = ec2Client(local().url, 'eu-west-1');
    await succeeded(50, () => east.send(unfiltered()));
    await expectAwsError(east.send(unfiltered()), 'RequestLimitExceeded');

    await east.send(new CreateSnapshotCommand({ VolumeId: root }));
    await east.send(new DescribeImagesCommand({ Owners: ['self'] }));
    expect(await succeeded(50, () => west.send(unfiltered()))).toBe(50);
    expect((await tallies())['ec2.throttled']).toBe(1);
  });

  it('takes overrides per category and per action, documented figures for the rest', async () => {
    const { root } = await seedInstance(local().control);
    await seedEc2(local().control, {
      throttling: {
        nonMutating: { bucket: 3, refillPerSecond: 0 },
        actions: { CreateSnapshot: { bucket: 2, refillPerSecond: 1 } },
      },
    });
    const ec2 = ec2Client(local().url);
    expect(await succeeded(3, () => ec2.send(new DescribeImagesCommand({ Owners: ['self'] })))).toBe(3);
    await expectAwsError(ec2.send(new DescribeImagesCommand({ Owners: ['self'] })), 'RequestLimitExceeded');
    // Same category, its own bucket.
    expect(await succeeded(3, () => ec2.send(new DescribeRegionsCommand({})))).toBe(3);

    expect(await succeeded(2, () => ec2.send(new CreateSnapshotCommand({ VolumeId: root })))).toBe(2);
    await expectAwsError(ec2.send(new CreateSnapshotCommand({ VolumeId: root })), 'RequestLimitExceeded');
    // Not overridden: the documented 50 tokens of the unfiltered subset.
    expect(await succeeded(50, () => ec2.send(unfiltered()))).toBe(50);
    await expectAwsError(ec2.send(unfiltered()), 'RequestLimitExceeded');

    await seedEc2(local().control, { throttling: 'off' });
    expect(await succeeded(5, () => ec2.send(new DescribeImagesCommand({ Owners: ['self'] })))).toBe(5);
  });

  it("lets the SDK's default retries absorb a moderate burst, counting the throttles", async () => {
    const { root } = await seedInstance(local().control);
    await seedEc2(local().control, {
      throttling: { actions: { CreateTags: { bucket: 5, refillPerSecond: 2 } } },
    });
    const ec2 = new EC2Client(clientConfig(local().url)); // default: standard mode, 3 attempts
    // On AWS the SDK's backoff is real time, which is what refills a bucket. The clock is
    // frozen here, so every retry attempt first lets one simulated second pass.
    ec2.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
        if (!/^attempt=1;/.test(headers['amz-sdk-request'] ?? 'attempt=1;'))
          local().cloud.clock.advance(1_000);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'simulatedBackoffClock' },
    );
    const tag = (n: number) =>
      ec2.send(new CreateTagsCommand({ Resources: [root], Tags: [{ Key: `k${n}`, Value: 'v' }] }));
    const attempts: number[] = [];
    for (let n = 0; n < 8; n += 1) attempts.push((await tag(n)).$metadata.attempts ?? 0);

    // 5 from the full bucket; the 6th and 8th wait for a refill, the 7th uses the spare token.
    expect(attempts).toEqual([1, 1, 1, 1, 1, 2, 1, 2]);
    const counted = await tallies();
    expect(counted['ec2.throttled']).toBe(2);
    expect(counted['ec2.throttled.CreateTags']).toBe(2);
  });

  it('rejects a malformed throttling seed with a message that says what is expected', async () => {
    await expect(seedEc2(local().control, { throttling: 'aws' })).rejects.toThrow(
      /throttling: expected 'off', 'aws-default' or an object of bucket overrides/,
    );
    await expect(
      seedEc2(local().control, { throttling: { mutating: { bucket: 0, refillPerSecond: 1 } } }),
    ).rejects.toThrow(/throttling\.mutating\.bucket: at least 1 token/);
    await expect(
      seedEc2(local().control, {
        throttling: { actions: { CreateSnapshott: { bucket: 1, refillPerSecond: 1 } } },
      }),
    ).rejects.toThrow(/Unrecognized key: "CreateSnapshott"/);
  });
});
