/**
 * The dry run says how each target's AMI would be made. Source: EC2 API Reference,
 * RegisterImage ("billing information … derived from the snapshots' metadata, which may be
 * missing": licensed platforms go through CreateImage) and EC2 User Guide, "AMI billing
 * information fields" (PlatformDetails / UsageOperation values).
 */
import { describe, expect, it } from 'vitest';
import { dryRunPlanText } from '../../../cli/backup/render-plan.ts';
import type { SourceInstance } from '../../../shared/backup/block-devices.ts';
import { planImage } from '../../../shared/backup/plan.ts';

const instance = (billing: Partial<SourceInstance>): SourceInstance => ({
  instanceId: 'i-0123456789abcdef0',
  rootDeviceName: '/dev/xvda',
  architecture: 'x86_64',
  virtualizationType: 'hvm',
  enaSupport: true,
  blockDevices: [
    {
      deviceName: '/dev/xvda',
      volumeId: 'vol-root',
      deleteOnTermination: true,
      sizeGiB: 8,
      volumeType: 'gp3',
    },
  ],
  ...billing,
});
const plan = (billing: Partial<SourceInstance>) =>
  planImage({
    region: 'eu-west-1',
    name: 'shipyard/nightly/i-1/run',
    instance: instance(billing),
    exclusions: {},
  });

describe('dry run: the image method per target', () => {
  it('plans CreateImage for a licensed platform and RegisterImage for plain Linux, each with its reason', () => {
    const windows = plan({ platformDetails: 'Windows', usageOperation: 'RunInstances:0002' });
    const linux = plan({ platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' });
    const rhel = plan({ platformDetails: 'Red Hat Enterprise Linux', usageOperation: 'RunInstances:0010' });
    expect([windows.method, rhel.method, linux.method]).toEqual(['create-image', 'create-image', 'register']);
    expect(windows.methodReason).toMatch(/Windows \(RunInstances:0002\) is a licensed platform/);
    expect(linux.methodReason).toMatch(/Linux\/UNIX \(RunInstances\)/);
  });

  it('prints the method and why in the dry-run plan', () => {
    const image = plan({ platformDetails: 'Windows', usageOperation: 'RunInstances:0002' });
    const text = dryRunPlanText({
      targets: [
        {
          target: 'i-0123456789abcdef0',
          plan: {
            snapshots: { volumes: [{ volumeId: 'vol-root', sizeGiB: 8, volumeType: 'gp3' }], excluded: [] },
            image,
            copies: [],
            rotation: [],
          },
        },
      ],
      totals: { snapshots: 1, totalGiB: 8, images: 1, copies: 0, wouldDelete: 0 },
    });
    expect(text.join('\n')).toMatch(
      /by CreateImage \(create-image\): Windows \(RunInstances:0002\) is a licensed platform/,
    );
  });
});
