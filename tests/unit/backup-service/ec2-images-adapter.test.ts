/**
 * The backup workflow's EC2 adapter (AMI side and launch-image reads) over a stub SDK client:
 * the requests it builds and how it reads EC2's answers. Sources: EC2 API Reference,
 * `LaunchPermission` (`Group`: "all" makes the AMI public), `BlockDeviceMapping` (`NoDevice`:
 * "To omit the device from the block device mapping, specify an empty string"), CreateImage
 * (`NoReboot`), RegisterImage / CopyImage (`InvalidAMIName.Duplicate`: the name is taken),
 * DescribeImages (`InvalidAMIID.NotFound`), GetInstanceUefiData (`UefiData`).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { createEc2Port } from '../../../shared/aws/ec2.ts';
import { ImageRegistrationFailed } from '../../../shared/backup/errors.ts';

/** A client answering each command by its name; records what was sent. */
function stubPort(handlers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ command: name, input: command.input });
      const handler = handlers[name];
      if (handler === undefined) throw new Error(`unexpected ${name}`);
      return handler(command.input);
    },
  };
  return { port: createEc2Port(client as unknown as EC2Client, 'eu-west-1'), sent };
}

const ec2Error = (code: string) =>
  Object.assign(new Error(`${code} message`), { name: code, $metadata: { httpStatusCode: 400 } });

const NO_PRINCIPALS = { userIds: [], organizationArns: [], organizationalUnitArns: [], public: false };

describe('EC2 adapter: AMIs', () => {
  it('shares publicly with Group all, and makes no call when there is nobody to add', async () => {
    const { port, sent } = stubPort({ ModifyImageAttribute: () => ({}) });
    await port.addLaunchPermissions('ami-1', NO_PRINCIPALS);
    expect(sent).toEqual([]);
    await port.addLaunchPermissions('ami-1', { ...NO_PRINCIPALS, public: true });
    expect(sent).toEqual([
      {
        command: 'ModifyImageAttribute',
        input: { ImageId: 'ami-1', LaunchPermission: { Add: [{ Group: 'all' }] } },
      },
    ]);
  });

  it('leaves excluded devices out of CreateImage with NoDevice, without rebooting the instance', async () => {
    const { port, sent } = stubPort({ CreateImage: () => ({ ImageId: 'ami-2' }) });
    const result = await port.createImage({
      instanceId: 'i-1',
      name: 'shipyard/nightly/i-1/r1',
      description: 'backup',
      excludedDeviceNames: ['/dev/sdf', '/dev/sdg'],
      tagSpecifications: [],
    });
    expect(result).toEqual({ kind: 'registered', imageId: 'ami-2' });
    expect(sent[0]?.input).toMatchObject({
      InstanceId: 'i-1',
      NoReboot: true,
      BlockDeviceMappings: [
        { DeviceName: '/dev/sdf', NoDevice: '' },
        { DeviceName: '/dev/sdg', NoDevice: '' },
      ],
    });
    await port.createImage({
      instanceId: 'i-1',
      name: 'n',
      description: 'd',
      excludedDeviceNames: [],
      tagSpecifications: [],
    });
    expect(sent[1]?.input).not.toHaveProperty('BlockDeviceMappings');
  });

  it('answers a taken name as duplicate-name, and an answer without an id as a named failure', async () => {
    let answer: () => unknown = () => {
      throw ec2Error('InvalidAMIName.Duplicate');
    };
    const { port } = stubPort({ CreateImage: () => answer() });
    const input = {
      instanceId: 'i-1',
      name: 'n',
      description: 'd',
      excludedDeviceNames: [],
      tagSpecifications: [],
    };
    expect(await port.createImage(input)).toEqual({ kind: 'duplicate-name' });
    answer = () => ({});
    const error = await port.createImage(input).catch((e: Error) => e);
    expect(error).toBeInstanceOf(ImageRegistrationFailed);
    expect((error as Error).message).toContain('CreateImage returned no ImageId');
  });
});

describe('EC2 adapter: launch image and UEFI data', () => {
  it('reads a launch AMI that does not exist (or is not listed) as absent', async () => {
    let answer: () => unknown = () => {
      throw ec2Error('InvalidAMIID.NotFound');
    };
    const { port, sent } = stubPort({ DescribeImages: () => answer() });
    expect(await port.describeLaunchImage('ami-gone')).toBeUndefined();
    answer = () => ({ Images: [] });
    expect(await port.describeLaunchImage('ami-gone')).toBeUndefined();
    // No Owners filter: the launch AMI is often Amazon's or a Marketplace seller's.
    expect(sent[0]?.input).toEqual({ ImageIds: ['ami-gone'] });
  });

  it('reads empty UEFI data as none', async () => {
    let data: string | undefined = '';
    const { port } = stubPort({ GetInstanceUefiData: () => ({ UefiData: data }) });
    expect(await port.getInstanceUefiData('i-1')).toBeUndefined();
    data = 'QU1aTlVFRkk=';
    expect(await port.getInstanceUefiData('i-1')).toBe('QU1aTlVFRkk=');
  });
});
