/**
 * Shares one AMI of one region: reads its snapshots' encryption (and, through KMS DescribeKey,
 * which of their keys is the AWS managed aws/ebs), plans the kinds of principal
 * (`shared/backup/share.ts`) and makes one ModifyImageAttribute call per kind, so that a
 * refused public share (image block public access, a Marketplace or encrypted AMI) leaves the
 * account, organization and OU shares in place. Throttling and 5xx propagate for the state
 * machine's Retry (adding a permission twice is harmless).
 */

import { BackupError, isTransientBackupError } from '../backup/errors.ts';
import { AWS_MANAGED_KEY_FIX, planShare, type ShareKind, type ShareRequest } from '../backup/share.ts';
import { isAwsManagedEbsKey } from '../config/policies.ts';
import type { KeyManagerPort } from './key-manager.ts';
import type { Ec2Port, LaunchPermissions } from './ports/ec2.ts';
import type { ShareKindResult, ShareResult } from './state.ts';

type RegionShare = ShareResult['regions'][number];

const NONE: LaunchPermissions = {
  userIds: [],
  organizationArns: [],
  organizationalUnitArns: [],
  public: false,
};

const permissionsOf = (kind: ShareKind, principals: readonly string[]): LaunchPermissions => {
  switch (kind) {
    case 'public':
      return { ...NONE, public: true };
    case 'accounts':
      return { ...NONE, userIds: principals };
    case 'organizations':
      return { ...NONE, organizationArns: principals };
    case 'organizationalUnits':
      return { ...NONE, organizationalUnitArns: principals };
  }
};

/** `Operation (region): Code: message` of a named error → the AWS code and message (the adapter's form). */
const awsRefusalOf = (error: BackupError): { code: string; reason: string } => {
  const match = /:\s([A-Z][A-Za-z]+(?:\.[A-Za-z]+)*):\s(.*)$/s.exec(error.message);
  return match?.[1] !== undefined && match[2] !== undefined
    ? { code: match[1], reason: match[2] }
    : { code: error.name, reason: error.message };
};

/** AWS's own refusal of an aws/ebs-encrypted AMI whose key KMS did not describe to us. */
const withFix = (message: string): string =>
  /AWS Managed (CMK|key)/i.test(message) ? `${message}; fix: ${AWS_MANAGED_KEY_FIX}` : message;

/**
 * @example
 * await shareRegionImage(ec2, 'ami-0123456789abcdef0', request, { marketplace: false });
 * // { region, imageId, status: 'shared', kinds: [{ kind: 'accounts', status: 'shared' }] }
 */
export async function shareRegionImage(
  ec2: Ec2Port,
  imageId: string,
  request: ShareRequest,
  options: { marketplace: boolean; keys?: KeyManagerPort | undefined },
): Promise<RegionShare> {
  const [image] = await ec2.describeImages({ imageIds: [imageId] });
  const described = new Map<string, Promise<boolean | undefined>>();
  const awsManaged = (kmsKeyId: string) => {
    if (options.keys === undefined || isAwsManagedEbsKey(kmsKeyId)) return Promise.resolve(undefined);
    const known =
      described.get(kmsKeyId) ?? options.keys.describeKey(kmsKeyId).then((key) => key?.awsManaged);
    described.set(kmsKeyId, known);
    return known;
  };
  const snapshots = await Promise.all(
    (image === undefined || image.snapshotIds.length === 0
      ? []
      : await ec2.describeSnapshots({ snapshotIds: image.snapshotIds })
    ).map(async (s) => {
      const managed =
        s.encrypted === true && s.kmsKeyId !== undefined ? await awsManaged(s.kmsKeyId) : undefined;
      return {
        snapshotId: s.snapshotId,
        encrypted: s.encrypted === true,
        ...(s.kmsKeyId === undefined ? {} : { kmsKeyId: s.kmsKeyId }),
        ...(managed === undefined ? {} : { awsManagedKey: managed }),
      };
    }),
  );
  const kinds: ShareKindResult[] = [];
  for (const plan of planShare(request, { imageId, marketplace: options.marketplace, snapshots })) {
    if ('refused' in plan) {
      kinds.push({ kind: plan.kind, status: 'refused', ...plan.refused });
      continue;
    }
    try {
      await ec2.addLaunchPermissions(imageId, permissionsOf(plan.kind, plan.principals));
      kinds.push({ kind: plan.kind, status: 'shared' });
    } catch (error) {
      if (!(error instanceof BackupError) || isTransientBackupError(error)) throw error;
      const { code, reason } = awsRefusalOf(error);
      kinds.push({ kind: plan.kind, status: 'refused', code, reason: withFix(reason) });
    }
  }
  const failed = kinds.filter((k) => k.status === 'refused' && k.kind !== 'public');
  return {
    region: ec2.region,
    imageId,
    status: failed.length === 0 ? 'shared' : 'failed',
    ...(failed.length === 0
      ? {}
      : { detail: failed.map((k) => `${k.kind}: ${k.code ?? 'refused'}: ${k.reason ?? ''}`).join('; ') }),
    kinds,
  };
}
