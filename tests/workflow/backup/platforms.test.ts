/**
 * Licensed platforms and boot attributes. Sources: RegisterImage API reference (billing
 * information derived from snapshot metadata, "discard the AMI and instead create the AMI from
 * an instance"), EC2 User Guide "AMI billing information fields" (PlatformDetails /
 * UsageOperation), ModifyImageAttribute API reference ("Images with an AWS Marketplace product
 * code cannot be made public"), botocore RegisterImageRequest (TpmSupport, UefiData,
 * ImdsSupport, SriovNetSupport).
 */

import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/backup/summary.ts';
import type { BackupPolicy } from '../../../shared/config/policies.ts';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { ec2Calls, inventory, ofTarget } from './inventory.ts';
import { COPY_A, COPY_B, KEY_A, KEY_B, policy, runInput, SHARE_WITH, SOURCE } from './scenario.ts';

const RUN = 'nightly-2026-03-01';
const I = (n: number) => `i-0${String(n).repeat(16)}`;

interface PlatformImage {
  imageId: string;
  platformDetails: string;
  usageOperation: string;
  sourceInstanceId?: string;
  tpmSupport?: string;
  imdsSupport?: string;
  sriovNetSupport?: string;
  uefiData?: string;
  instanceStore: { deviceName: string; virtualName: string }[];
  launchPermissions: { userId?: string; group?: string }[];
  public: boolean;
  snapshotIds: string[];
  tags: Record<string, string>;
}

describe('backup workflow: platforms and boot attributes', () => {
  const local = useLocalCloud();

  async function runFor(
    instance: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    share = {},
    more: Partial<BackupPolicy> = {},
  ) {
    const id = instance.instanceId as string;
    await local().control.seed({
      ec2: {
        instances: [
          {
            region: SOURCE,
            architecture: 'x86_64',
            rootDeviceName: '/dev/xvda',
            volumes: [{ deviceName: '/dev/xvda', sizeGiB: 8, volumeType: 'gp3' }],
            ...instance,
          },
        ],
        kmsKeys: [
          { region: COPY_A, keyId: KEY_A },
          { region: COPY_B, keyId: KEY_B },
        ],
        ...extra,
      },
    });
    const workflow = await createBackupWorkflow(local);
    const p = policy({
      targets: { instanceIds: [id] },
      share: { accountIds: [SHARE_WITH], ...share },
      ...more,
    });
    const result = await workflow.run(runInput(p, RUN));
    const summary = (result.output ??
      (result.lastOutput.Summarize as { summary: RunSummary }).summary) as RunSummary;
    const images = async (region: string) =>
      ofTarget((await inventory(local().control, region)).images, id) as unknown as PlatformImage[];
    return { result, summary, images, id };
  }

  it.each([
    ['windows', 'Windows', 'RunInstances:0002'],
    ['rhel', 'Red Hat Enterprise Linux', 'RunInstances:0010'],
  ])(
    'a %s instance goes straight to CreateImage and keeps its billing in every region',
    async (platform, details, usage) => {
      // Prepare / Act
      const { result, summary, images, id } = await runFor({
        instanceId: platform === 'windows' ? I(1) : I(2),
        platform,
      });
      // Assess
      expect(result.status).toBe('succeeded');
      const calls = await ec2Calls(local().control);
      expect([calls.CreateImage, calls.RegisterImage ?? 0]).toEqual([1, 0]);
      for (const region of [SOURCE, COPY_A, COPY_B]) {
        expect(await images(region)).toMatchObject([{ platformDetails: details, usageOperation: usage }]);
      }
      const [source] = await images(SOURCE);
      expect(source?.sourceInstanceId).toBe(id);
      expect(summary.targets[0]?.image).toMatchObject({ method: 'create-image' });
      expect(summary.targets[0]?.image?.reason).toContain('licensed platform');
      // The superseded CreateSnapshots set is deleted: only the AMI's own snapshots remain.
      const snapshots = ofTarget((await inventory(local().control, SOURCE)).snapshots, id);
      expect(snapshots.map((s) => s.snapshotId).sort()).toEqual([...(source?.snapshotIds ?? [])].sort());
      expect(summary.targets[0]?.regions[0]?.snapshotIds).toEqual(source?.snapshotIds);
    },
  );

  it('a Linux instance is registered from its snapshots, as before', async () => {
    const { result, summary, images } = await runFor({ instanceId: I(3) });
    expect(result.status).toBe('succeeded');
    const calls = await ec2Calls(local().control);
    expect([calls.RegisterImage, calls.CreateImage ?? 0]).toEqual([1, 0]);
    expect(await images(SOURCE)).toMatchObject([
      { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' },
    ]);
    expect(summary.targets[0]?.image?.method).toBe('register');
  });

  it('a registered AMI whose billing differs (RHEL BYOL) is discarded and replaced by CreateImage', async () => {
    const { result, summary, images } = await runFor({ instanceId: I(4), platform: 'rhel-byol' });
    expect(result.status).toBe('succeeded');
    const calls = await ec2Calls(local().control);
    expect([calls.RegisterImage, calls.DeregisterImage, calls.CreateImage]).toEqual([1, 1, 1]);
    expect(await images(SOURCE)).toMatchObject([
      { platformDetails: 'Red Hat BYOL Linux', usageOperation: 'RunInstances:00g0' },
    ]);
    expect(summary.targets[0]?.image?.method).toBe('create-image');
    expect(summary.targets[0]?.notes?.join('\n')).toContain('discarded');
  });

  it('a Marketplace AMI is shared with the accounts but never made public, with the reason', async () => {
    const { result, summary, images } = await runFor(
      {
        instanceId: I(5),
        productCodes: [{ productCodeId: 'abcdefghijklmnopqrstuvwx1', type: 'marketplace' }],
      },
      {},
      { public: true },
      // Public sharing needs unencrypted copies (config validation refuses it with KMS keys).
      { copyRegions: [{ region: COPY_A }, { region: COPY_B }] },
    );
    expect(result.status).toBe('succeeded');
    for (const region of [SOURCE, COPY_A, COPY_B]) {
      expect(await images(region)).toMatchObject([
        { public: false, launchPermissions: [{ userId: SHARE_WITH }] },
      ]);
    }
    expect(summary.targets[0]?.notes?.join('\n')).toContain('public sharing refused');
    expect(summary.targets[0]?.notes?.join('\n')).toContain('Marketplace');
  });

  it('carries NitroTPM, the UEFI variable store, IMDSv2, SR-IOV and instance-store mappings', async () => {
    await local().control.seed({
      ec2: {
        images: [
          {
            region: SOURCE,
            imageId: 'ami-0aaaaaaaaaaaaaaa9',
            name: 'launch-image',
            blockDevices: [{ deviceName: '/dev/xvda', sizeGiB: 8 }],
            instanceStore: [{ deviceName: '/dev/sdb', virtualName: 'ephemeral0' }],
          },
        ],
      },
    });
    const { result, summary, images } = await runFor({
      instanceId: I(6),
      imageId: 'ami-0aaaaaaaaaaaaaaa9',
      bootMode: 'uefi',
      tpmSupport: 'v2.0',
      httpTokens: 'required',
      sriovNetSupport: 'simple',
      uefiData: 'U0hJUFlBUkQ=',
    });
    expect(result.status).toBe('succeeded');
    for (const region of [SOURCE, COPY_A]) {
      expect(await images(region)).toMatchObject([
        {
          tpmSupport: 'v2.0',
          imdsSupport: 'v2.0',
          sriovNetSupport: 'simple',
          uefiData: 'U0hJUFlBUkQ=',
          instanceStore: [{ deviceName: '/dev/sdb', virtualName: 'ephemeral0' }],
        },
      ]);
    }
    expect(summary.targets[0]?.image?.carried).toEqual(
      expect.arrayContaining(['TpmSupport v2.0', 'UefiData', 'ImdsSupport v2.0', 'SriovNetSupport simple']),
    );
  });

  it('reports what CreateImage cannot carry (IMDSv2 of a Windows instance)', async () => {
    const { result, summary } = await runFor({
      instanceId: I(7),
      platform: 'windows',
      httpTokens: 'required',
    });
    expect(result.status).toBe('succeeded');
    expect(summary.targets[0]?.notes).toContain(
      'not carried: ImdsSupport v2.0: CreateImage has no ImdsSupport parameter',
    );
  });
});
