/**
 * Sharing, end to end against the local cloud. Sources: EC2 User Guide, "Share an AMI with
 * specific AWS accounts" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html):
 * "You can't share AMIs that are backed by snapshots that are encrypted with the default AWS
 * managed key"; CopyImage with a customer-managed KmsKeyId re-encrypts the copy's snapshots.
 * EC2 reports a snapshot's key by its key ARN (EC2 API Reference, Snapshot.KmsKeyId), so the
 * aws/ebs key is only recognised through KMS DescribeKey (KeyMetadata.KeyManager `AWS`): the
 * refusal before any call below is that detection.
 */

import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../shared/backup/summary.ts';
import { createBackupWorkflow } from '../../helpers/backup-workflow.ts';
import { ec2Calls, inventory, ofTarget } from './inventory.ts';
import { COPY_A, COPY_B, KEY_A, KEY_B, policy, runInput, SHARE_WITH, SOURCE } from './scenario.ts';

const RUN = 'nightly-2026-03-02';
const INSTANCE = 'i-0eeeeeeeeeeeeeee1';

describe('backup workflow: sharing', () => {
  const local = useLocalCloud();

  it('an AMI encrypted with aws/ebs (default EBS encryption) is not shared with accounts, with the reason and the fix; its copies under customer keys are', async () => {
    // Prepare
    await local().control.seed({
      ec2: {
        instances: [
          {
            region: SOURCE,
            instanceId: INSTANCE,
            architecture: 'x86_64',
            rootDeviceName: '/dev/xvda',
            volumes: [
              {
                deviceName: '/dev/xvda',
                sizeGiB: 8,
                volumeType: 'gp3',
                encrypted: true,
                kmsKeyId: 'alias/aws/ebs',
              },
            ],
          },
        ],
        kmsKeys: [
          { region: COPY_A, keyId: KEY_A },
          { region: COPY_B, keyId: KEY_B },
        ],
      },
    });
    const workflow = await createBackupWorkflow(local);
    // Act
    const result = await workflow.run(runInput(policy({ targets: { instanceIds: [INSTANCE] } }), RUN));
    // Assess
    const summary = (result.output ??
      (result.lastOutput.Summarize as { summary: RunSummary }).summary) as RunSummary;
    const [target] = summary.targets;
    expect(target?.regions.map((r) => [r.region, r.status])).toEqual([
      [SOURCE, 'failed'],
      [COPY_A, 'succeeded'],
      [COPY_B, 'succeeded'],
    ]);
    expect(target?.failures).toEqual([
      expect.stringMatching(
        /^eu-west-1: share: ImageShareFailed: accounts: InvalidParameter: .*AWS managed key aws\/ebs.*set the policy's copy KMS key/,
      ),
    ]);
    // The refused share was never asked of EC2: two copies, one call each (accounts only).
    expect((await ec2Calls(local().control)).ModifyImageAttribute).toBe(2);
    const permissions = async (region: string) =>
      (
        ofTarget((await inventory(local().control, region)).images, INSTANCE) as {
          launchPermissions: unknown[];
        }[]
      )[0]?.launchPermissions;
    expect(await permissions(SOURCE)).toEqual([]);
    for (const region of [COPY_A, COPY_B])
      expect(await permissions(region)).toEqual([{ userId: SHARE_WITH }]);
  });
});
