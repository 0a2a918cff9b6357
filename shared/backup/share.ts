/**
 * Which launch permissions an AMI can take, one kind of principal at a time. Each kind is
 * its own ModifyImageAttribute call (AWS-FACTS: a refused `Group: all` fails the whole call),
 * and the rules AWS states are checked before calling, from the AMI's snapshots:
 *
 * - EC2 User Guide, "Share an AMI with specific AWS accounts": "You can't share AMIs that are
 *   backed by snapshots that are encrypted with the default AWS managed key." (Organizations
 *   and OUs are shared the same way, so the rule holds for them too.)
 * - EC2 User Guide, "Make your AMI publicly available": an AMI with encrypted volumes,
 *   snapshots of encrypted volumes or product codes cannot be made public.
 */
import { isAwsManagedEbsKey } from '../config/policies.ts';

export const SHARE_KINDS = ['public', 'accounts', 'organizations', 'organizationalUnits'] as const;
export type ShareKind = (typeof SHARE_KINDS)[number];

/** The principals the policy asks for. */
export interface ShareRequest {
  public: boolean;
  accountIds: readonly string[];
  organizationArns: readonly string[];
  organizationalUnitArns: readonly string[];
}

/** What the rules need to know of one backing snapshot (DescribeSnapshots `Encrypted`, `KmsKeyId`). */
export interface SnapshotEncryption {
  snapshotId: string;
  encrypted: boolean;
  kmsKeyId?: string;
  /** KMS DescribeKey said the key is AWS managed (KeyManager `AWS`); absent when not asked or not known. */
  awsManagedKey?: boolean;
}

/** Refused before calling: the code AWS answers with (as observed, see below), the reason and the fix. */
interface ShareRefusal {
  code: string;
  reason: string;
}

export type KindPlan =
  | { kind: ShareKind; principals: readonly string[] }
  | { kind: ShareKind; refused: ShareRefusal };

/**
 * Codes AWS answers ModifyImageAttribute with for these refusals. Not in the API reference;
 * observed in AWS answers quoted in hashicorp/packer#7410 and DataDog/stratus-red-team#109
 * ("InvalidParameter: Snapshots encrypted with the AWS Managed CMK can't be shared") and
 * opendevstack/ods-core#1062 ("UnsupportedOperation: Encrypted snapshots can't be shared
 * publicly") [unconfirmed: not documented]. The Marketplace code is undocumented too.
 */
const AWS_MANAGED_KEY_SHARE_CODE = 'InvalidParameter';
const ENCRYPTED_PUBLIC_SHARE_CODE = 'UnsupportedOperation';
const MARKETPLACE_PUBLIC_SHARE_CODE = 'InvalidParameter';

/** What to change so that the account shares work. */
export const AWS_MANAGED_KEY_FIX =
  "re-encrypt the copy with a customer-managed key: set the policy's copy KMS key (copyRegions[].kmsKeyId) and allow the accounts to use that key";

/**
 * An encrypted snapshot whose key is not known is taken as encrypted with the region's
 * default EBS key, which is aws/ebs unless the account changed it. DescribeSnapshots names the
 * key by its key ARN, so aws/ebs is recognised by KMS DescribeKey (`awsManagedKey`) or by an
 * alias form (`alias/aws/ebs`, its ARN); a key KMS would not describe is left to AWS's own
 * refusal of the call.
 */
const usesAwsManagedKey = (s: SnapshotEncryption): boolean =>
  s.encrypted && (s.kmsKeyId === undefined || s.awsManagedKey === true || isAwsManagedEbsKey(s.kmsKeyId));

/**
 * One entry per kind the request names (public first), each either the principals to add in
 * its own call or the refusal that makes the call pointless.
 *
 * @example
 * planShare(
 *   { public: true, accountIds: ['111122223333'], organizationArns: [], organizationalUnitArns: [] },
 *   { imageId: 'ami-1', marketplace: false, snapshots: [{ snapshotId: 'snap-1', encrypted: true, kmsKeyId: 'alias/aws/ebs' }] },
 * );
 * // [{ kind: 'public', refused: { code: 'UnsupportedOperation', … } },
 * //  { kind: 'accounts', refused: { code: 'InvalidParameter', reason: '… re-encrypt the copy …' } }]
 */
export function planShare(
  request: ShareRequest,
  image: { imageId: string; marketplace: boolean; snapshots: readonly SnapshotEncryption[] },
): KindPlan[] {
  const encrypted = image.snapshots.filter((s) => s.encrypted).map((s) => s.snapshotId);
  const managed = image.snapshots.filter(usesAwsManagedKey).map((s) => s.snapshotId);
  const principals: Record<ShareKind, readonly string[]> = {
    public: request.public ? ['all'] : [],
    accounts: request.accountIds,
    organizations: request.organizationArns,
    organizationalUnits: request.organizationalUnitArns,
  };
  const plans: KindPlan[] = [];
  for (const kind of SHARE_KINDS) {
    if (principals[kind].length === 0) continue;
    if (kind === 'public' && image.marketplace)
      plans.push({
        kind,
        refused: {
          code: MARKETPLACE_PUBLIC_SHARE_CODE,
          reason: `${image.imageId} has an AWS Marketplace product code: an AMI with one cannot be made public`,
        },
      });
    else if (kind === 'public' && encrypted.length > 0)
      plans.push({
        kind,
        refused: {
          code: ENCRYPTED_PUBLIC_SHARE_CODE,
          reason: `${image.imageId} is backed by encrypted snapshots (${encrypted.join(', ')}): an AMI with encrypted snapshots cannot be made public`,
        },
      });
    else if (kind !== 'public' && managed.length > 0)
      plans.push({
        kind,
        refused: {
          code: AWS_MANAGED_KEY_SHARE_CODE,
          reason: `${image.imageId} is backed by snapshots encrypted with the AWS managed key aws/ebs (${managed.join(', ')}), which cannot be shared with other accounts; fix: ${AWS_MANAGED_KEY_FIX}`,
        },
      });
    else plans.push({ kind, principals: principals[kind] });
  }
  return plans;
}
