import { EC2Client } from '@aws-sdk/client-ec2';
import { expect } from 'vitest';
import type { ControlClient } from '../../src/control-client.ts';
import { clientConfig } from '../../testing/local-cloud.ts';

/** Shared set-up for the EC2 integration tests (not a test file itself). */

/** An SDK client without retries, so each injected or real error surfaces on the first call. */
export const ec2Client = (url: string, region = 'us-east-1'): EC2Client =>
  new EC2Client({ ...clientConfig(url, region), maxAttempts: 1 });

interface SeededInstance {
  instanceId: string;
  reservationId: string;
  volumeIds: Record<string, string>;
}

export interface SeedResult {
  ec2: {
    instances: SeededInstance[];
    volumes: string[];
    snapshots: string[];
    images: { imageId: string; snapshotIds: string[] }[];
  };
}

export const seedEc2 = (control: ControlClient, section: Record<string, unknown>) =>
  control.seed<SeedResult>({ ec2: section });

/** One instance with a root and a data volume (sizes in GiB). */
export const seedInstance = async (
  control: ControlClient,
  options: { region?: string; rootGiB?: number; dataGiB?: number; tags?: Record<string, string> } = {},
): Promise<{ instanceId: string; root: string; data: string }> => {
  const seeded = await seedEc2(control, {
    instances: [
      {
        region: options.region ?? 'us-east-1',
        name: 'web-1',
        architecture: 'x86_64',
        rootDeviceName: '/dev/xvda',
        bootMode: 'uefi',
        enaSupport: true,
        volumes: [
          {
            deviceName: '/dev/xvda',
            sizeGiB: options.rootGiB ?? 8,
            volumeType: 'gp3',
            tags: { Role: 'root', ...options.tags },
          },
          {
            deviceName: '/dev/sdf',
            sizeGiB: options.dataGiB ?? 100,
            volumeType: 'gp3',
            tags: { Role: 'data', ...options.tags },
          },
        ],
      },
    ],
  });
  const instance = seeded.ec2.instances[0];
  const root = instance?.volumeIds['/dev/xvda'];
  const data = instance?.volumeIds['/dev/sdf'];
  if (!instance || !root || !data) throw new Error('seed returned no instance');
  return { instanceId: instance.instanceId, root, data };
};

/** A standalone volume. */
export const seedVolume = async (
  control: ControlClient,
  sizeGiB: number,
  region = 'us-east-1',
  tags: Record<string, string> = {},
): Promise<string> => {
  const seeded = await seedEc2(control, { volumes: [{ region, sizeGiB, volumeType: 'gp3', tags }] });
  const id = seeded.ec2.volumes[0];
  if (!id) throw new Error('seed returned no volume');
  return id;
};

/** Asserts an AWS error code (the SDK's error name) and returns the error for further checks. */
export const expectAwsError = async (
  promise: Promise<unknown>,
  code: string,
): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toMatchObject({ name: code });
  return error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
};

export const MINUTE = 60_000;
