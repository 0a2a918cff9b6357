/** The source instance as the domain's block-device mapper wants it: instance + its volumes. */

import { type SourceInstance, sourceInstanceSchema } from '../backup/block-devices.ts';
import { InvalidBackupInput, TargetNotFound } from '../backup/errors.ts';
import type { Ec2Reader } from './ports/ec2.ts';

const optional = <K extends string>(key: K, value: string | undefined) =>
  (value === undefined || value === '' ? {} : { [key]: value }) as Partial<Record<K, string>>;

/**
 * Describes the instance and its EBS volumes and validates the result.
 *
 * @throws TargetNotFound when the instance or one of its volumes is gone.
 * @throws InvalidBackupInput when EC2 reports attributes the mapper cannot use.
 */
export async function describeSourceInstance(ec2: Ec2Reader, instanceId: string): Promise<SourceInstance> {
  const [instance] = await ec2.describeInstances({ instanceIds: [instanceId] });
  if (instance === undefined || instance.state === 'terminated') {
    throw new TargetNotFound(`instance ${instanceId} does not exist in ${ec2.region}`);
  }
  const volumeIds = instance.blockDevices.map((d) => d.volumeId);
  const volumes = new Map((await ec2.describeVolumes({ volumeIds })).map((v) => [v.volumeId, v]));
  const blockDevices = instance.blockDevices.map((device) => {
    const volume = volumes.get(device.volumeId);
    if (volume === undefined)
      throw new TargetNotFound(`volume ${device.volumeId} of ${instanceId} does not exist`);
    return {
      deviceName: device.deviceName,
      volumeId: device.volumeId,
      deleteOnTermination: device.deleteOnTermination,
      sizeGiB: volume.sizeGiB,
      volumeType: volume.volumeType,
      ...(volume.iops === undefined ? {} : { iops: volume.iops }),
      ...(volume.throughput === undefined ? {} : { throughput: volume.throughput }),
    };
  });
  const parsed = sourceInstanceSchema.safeParse({
    instanceId,
    rootDeviceName: instance.rootDeviceName,
    architecture: instance.architecture,
    ...(instance.virtualizationType === undefined ? {} : { virtualizationType: instance.virtualizationType }),
    enaSupport: instance.enaSupport,
    ...(instance.bootMode === undefined ? {} : { bootMode: instance.bootMode }),
    ...(instance.currentInstanceBootMode === undefined
      ? {}
      : { currentInstanceBootMode: instance.currentInstanceBootMode }),
    blockDevices,
    ...optional('platformDetails', instance.platformDetails),
    ...optional('usageOperation', instance.usageOperation),
    ...(instance.productCodes?.length ? { productCodes: instance.productCodes } : {}),
    ...optional('imageId', instance.imageId),
    ...optional('tpmSupport', instance.tpmSupport),
    ...optional('httpTokens', instance.httpTokens),
    ...optional('sriovNetSupport', instance.sriovNetSupport),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InvalidBackupInput(`instance ${instanceId}: unusable attributes: ${problems}`);
  }
  return parsed.data;
}
