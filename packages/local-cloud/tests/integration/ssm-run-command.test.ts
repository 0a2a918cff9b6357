import { RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';
import { ec2Client, expectAwsError, seedEc2 } from './ec2-fixtures.ts';

/**
 * SSM Run Command as the verification's HTTP probe uses it. Sources: the SendCommand and
 * GetCommandInvocation API references (invocation Status Pending | InProgress | Delayed |
 * Success | Cancelled | TimedOut | Failed | Cancelling; "If the response code is -1, then the
 * command hasn't started running on the managed node"; SendCommand InvalidInstanceId for a node
 * that is not a running managed node; InvalidDocument for an unknown document), the botocore
 * model ssm/2014-11-06 (CommandId 36 characters, TimeoutSeconds 30–2592000, the
 * CommandExecuted waiter retrying on InvocationDoesNotExist) and the AWS-RunShellScript
 * document (`commands` parameter).
 */

const local = useLocalCloud({ clock: { speed: 0 } });

const REGION = 'ap-south-1';
const ssm = () => new SSMClient({ ...clientConfig(local().url, REGION), maxAttempts: 1 });
const ec2 = () => ec2Client(local().url, REGION);
const PROBE = ["curl -sS -o /dev/null -w '%{http_code}' --max-time 10 'http://localhost:8080/health'"];

const seed = async () => {
  const seeded = await seedEc2(local().control, {
    network: {
      vpcs: [{ region: REGION, vpcId: 'vpc-0000000f', cidrBlock: '10.4.0.0/16' }],
      subnets: [
        { region: REGION, subnetId: 'subnet-0000000f', vpcId: 'vpc-0000000f', cidrBlock: '10.4.1.0/24' },
      ],
    },
    images: ['ok', 'error', 'not-listening'].map((service) => ({
      region: REGION,
      name: `service-${service}`,
      blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
      guest: { service },
    })),
  });
  return seeded.ec2.images.map((i) => i.imageId);
};

const launch = async (imageId: string | undefined) => {
  const out = await ec2().send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: 'subnet-0000000f',
    }),
  );
  return out.Instances?.[0]?.InstanceId ?? '';
};

const send = async (instanceId: string, commands = PROBE, TimeoutSeconds?: number) =>
  (
    await ssm().send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [instanceId],
        Parameters: { commands },
        ...(TimeoutSeconds === undefined ? {} : { TimeoutSeconds }),
      }),
    )
  ).Command?.CommandId ?? '';

const invocation = (CommandId: string, InstanceId: string) =>
  ssm().send(new GetCommandInvocationCommand({ CommandId, InstanceId }));

const online = async () => {
  const { instanceBootMs, ssmAgentOnlineMs } = await local().control.durations();
  await local().control.advance({ ms: instanceBootMs + ssmAgentOnlineMs });
};

describe('SSM Run Command (AWS-RunShellScript)', () => {
  it('an invocation is Pending (ResponseCode -1), InProgress once delivered, then Success with the script output', async () => {
    // Prepare
    const [ok] = await seed();
    const id = await launch(ok);
    await online();
    const { ssmCommandDeliveryMs, ssmCommandRunMs } = await local().control.durations();
    // Act
    const commandId = await send(id);
    const pending = await invocation(commandId, id);
    await local().control.advance({ ms: ssmCommandDeliveryMs });
    const running = await invocation(commandId, id);
    await local().control.advance({ ms: ssmCommandRunMs });
    const done = await invocation(commandId, id);
    // Assess
    expect(commandId).toHaveLength(36);
    expect(pending).toMatchObject({ Status: 'Pending', ResponseCode: -1, ExecutionStartDateTime: '' });
    expect(running).toMatchObject({ Status: 'InProgress', ResponseCode: -1 });
    expect(done).toMatchObject({
      Status: 'Success',
      ResponseCode: 0,
      StandardOutputContent: '200',
      DocumentName: 'AWS-RunShellScript',
      PluginName: 'aws:runShellScript',
    });
  });

  it("the image's guest service answers 500, or refuses the connection (curl exit 7, Failed)", async () => {
    // Prepare
    const [, error, deaf] = await seed();
    const failing = await launch(error);
    const closed = await launch(deaf);
    await online();
    const { ssmCommandDeliveryMs, ssmCommandRunMs } = await local().control.durations();
    // Act
    const a = await send(failing);
    const b = await send(closed);
    await local().control.advance({ ms: ssmCommandDeliveryMs + ssmCommandRunMs });
    // Assess
    expect(await invocation(a, failing)).toMatchObject({
      Status: 'Success',
      ResponseCode: 0,
      StandardOutputContent: '500',
    });
    expect(await invocation(b, closed)).toMatchObject({
      Status: 'Failed',
      ResponseCode: 7,
      StandardOutputContent: '000',
      StandardErrorContent: expect.stringContaining('Connection refused'),
    });
  });

  it('the service-error async fault sets the answer of images made during a run', async () => {
    const [ok] = await seed();
    await seedEc2(local().control, { asyncFaults: [{ kind: 'service-error', imageId: ok }] });
    const faulty = await launch(ok);
    const healthy = await launch(ok);
    await online();
    const { ssmCommandDeliveryMs, ssmCommandRunMs } = await local().control.durations();
    const a = await send(faulty);
    const b = await send(healthy);
    await local().control.advance({ ms: ssmCommandDeliveryMs + ssmCommandRunMs });
    expect((await invocation(a, faulty)).StandardOutputContent).toBe('500');
    expect((await invocation(b, healthy)).StandardOutputContent).toBe('200');
  });

  it('a command its instance never receives is TimedOut after TimeoutSeconds (DeliveryTimedOut)', async () => {
    // Prepare: Online, then terminated before the agent picks the command up.
    const [ok] = await seed();
    const id = await launch(ok);
    await online();
    // Act
    const commandId = await send(id, PROBE, 30);
    await ec2().send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await local().control.advance({ ms: 29_000 });
    const before = await invocation(commandId, id);
    await local().control.advance({ ms: 1_000 });
    const after = await invocation(commandId, id);
    // Assess
    expect(before.Status).toBe('Pending');
    expect(after).toMatchObject({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut', ResponseCode: -1 });
  });

  it('errors: not a managed node → InvalidInstanceId; unknown document → InvalidDocument; unknown command → InvalidCommandId; other instance → InvocationDoesNotExist', async () => {
    // Prepare
    const [ok] = await seed();
    const booting = await launch(ok);
    const other = await launch(ok);
    // Act + Assess
    await expectAwsError(send(booting), 'InvalidInstanceId');
    await online();
    await expectAwsError(
      ssm().send(
        new SendCommandCommand({
          DocumentName: 'Shipyard-Nope',
          InstanceIds: [booting],
          Parameters: { commands: ['true'] },
        }),
      ),
      'InvalidDocument',
    );
    await expectAwsError(
      ssm().send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [booting] })),
      'InvalidParameters',
    );
    const commandId = await send(booting);
    await expectAwsError(invocation('00000000-0000-4000-8000-00000000dead', booting), 'InvalidCommandId');
    await expectAwsError(invocation(commandId, other), 'InvocationDoesNotExist');
  });
});
