/**
 * ShareImage: one ModifyImageAttribute call per kind of principal, each kind's outcome on its
 * own, over an in-memory EC2 (the refusals are AWS's rules, not the local cloud's). Sources:
 * - AWS-FACTS / ModifyImageAttribute API reference: `Group: all` refused (image block public
 *   access `block-new-sharing`) fails the whole call — hence one call per kind.
 * - EC2 User Guide, "Share an AMI with specific AWS accounts"
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html): "You can't
 *   share AMIs that are backed by snapshots that are encrypted with the default AWS managed key."
 * - EC2 User Guide, "Make your AMI publicly available"
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html): an AMI with
 *   encrypted volumes, snapshots of encrypted volumes or product codes can't be made public.
 */
import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/backup-share-image/handler.ts';
import { toBackupError } from '../../../shared/aws/ec2-errors.ts';
import { ImageShareFailed } from '../../../shared/backup/errors.ts';
import { planShare } from '../../../shared/backup/share.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import type { KeyManagerFactory } from '../../../shared/backup-service/key-manager.ts';
import { targetResult } from '../../../shared/backup-service/outcome.ts';
import type { Ec2Port, Ec2Snapshot, LaunchPermissions } from '../../../shared/backup-service/ports/ec2.ts';
import type { BackupState, ImageState, ShareResult } from '../../../shared/backup-service/state.ts';
import { deployed, memoryRunFiles, runOf, unusedRunRecords } from '../../helpers/backup-deps.ts';
import { COPY_A, COPY_B, KEY_A, policy, SHARE_WITH, SOURCE } from '../../workflow/backup/scenario.ts';

const NOW = '2026-03-20T00:30:00.000Z';
const ORG = 'arn:aws:organizations::111122223333:organization/o-abcdefghij';
const OU = 'arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefghij';
const MANAGED_KEY = `arn:aws:kms:${SOURCE}:123456789012:alias/aws/ebs`;
/**
 * What AWS answers a public share under image block public access with: the code is not
 * documented [unconfirmed]; the test only needs a terminal refusal of that one call.
 */
const BLOCK_PUBLIC_ACCESS_CODE = 'OperationNotPermitted';

const IMAGE_OF: Record<string, string> = {
  [SOURCE]: 'ami-0a000000000000001',
  [COPY_A]: 'ami-0b000000000000001',
  [COPY_B]: 'ami-0c000000000000001',
};

type Encryption = Pick<Ec2Snapshot, 'encrypted' | 'kmsKeyId'>;

/** One AMI per region with one snapshot; `refuse` answers a call as AWS would (code, message). */
function fakeEc2(
  encryption: (region: string) => Encryption,
  refuse: (region: string, p: LaunchPermissions) => [string, string] | undefined = () => undefined,
) {
  const calls: { region: string; permissions: LaunchPermissions }[] = [];
  const port = (region: string): Ec2Port => {
    const imageId = IMAGE_OF[region] ?? '';
    const snapshotId = `snap-${imageId.slice(4)}`;
    const unused = async (): Promise<never> => {
      throw new Error('not called by ShareImage');
    };
    return {
      region,
      describeImages: async (q) =>
        q.imageIds?.includes(imageId)
          ? [{ imageId, state: 'available', creationDate: NOW, tags: {}, snapshotIds: [snapshotId] }]
          : [],
      describeSnapshots: async (q) =>
        q.snapshotIds?.includes(snapshotId)
          ? [
              {
                snapshotId,
                state: 'completed',
                startTime: NOW,
                volumeSizeGiB: 8,
                tags: {},
                ...encryption(region),
              },
            ]
          : [],
      addLaunchPermissions: async (id, permissions) => {
        calls.push({ region, permissions });
        const refusal = refuse(region, permissions);
        if (refusal !== undefined)
          // As the SDK throws it (a ServiceException), mapped by the adapter's own mapping.
          throw toBackupError(
            Object.assign(new Error(refusal[1]), { name: refusal[0], $metadata: { httpStatusCode: 400 } }),
            `ModifyImageAttribute (${region})`,
            ImageShareFailed,
          );
        expect(id).toBe(imageId);
      },
      describeInstances: unused,
      describeVolumes: unused,
      describeLaunchImage: unused,
      getInstanceUefiData: unused,
      createSnapshots: unused,
      createSnapshot: unused,
      registerImage: unused,
      createImage: unused,
      copyImage: unused,
      deregisterImage: unused,
      deleteSnapshot: unused,
    };
  };
  return { port, calls };
}

const image = (more: Partial<ImageState> = {}): ImageState => ({
  state: 'available',
  attempt: 0,
  startedAt: NOW,
  waitSeconds: 0,
  region: SOURCE,
  imageId: IMAGE_OF[SOURCE] ?? '',
  name: 'shipyard/nightly/i-0aaaaaaaaaaaaaaa1/nightly-2026-03-20',
  createdAt: NOW,
  ...more,
});

const unencrypted = () => ({ encrypted: false });

async function share(
  ec2: ReturnType<typeof fakeEc2>,
  overrides: Parameters<typeof policy>[0],
  imageMore: Partial<ImageState> = {},
  kms?: KeyManagerFactory,
) {
  const p = policy(overrides);
  const run = runOf(p, 'nightly-2026-03-20', NOW);
  const backup: BackupState = {
    target: { id: 'i-0aaaaaaaaaaaaaaa1', kind: 'instance', form: 'image' },
    image: image(imageMore),
    copies: p.copyRegions.map(({ region }) => ({
      region,
      imageId: IMAGE_OF[region],
      state: 'available' as const,
    })),
  };
  const result: ShareResult = await makeHandler({
    ec2: ec2.port,
    logger: silentLogger,
    now: () => new Date(NOW),
    policies: deployed(p),
    runRecords: unusedRunRecords,
    ...(kms === undefined ? {} : { kms }),
    runFiles: memoryRunFiles(),
  })({ run, backup });
  return { result, summary: targetResult(run, { ...backup, share: result }, NOW) };
}

const kindOf = (p: LaunchPermissions): string =>
  [
    p.public ? 'public' : '',
    p.userIds.length > 0 ? 'accounts' : '',
    p.organizationArns.length > 0 ? 'organizations' : '',
    p.organizationalUnitArns.length > 0 ? 'organizationalUnits' : '',
  ]
    .filter((k) => k !== '')
    .join('+');

describe('backup-share-image handler', () => {
  it('makes one ModifyImageAttribute call per kind of principal, in every region the AMI lives in', async () => {
    // Prepare
    const ec2 = fakeEc2(unencrypted);
    // Act
    const { result } = await share(ec2, {
      copyRegions: [{ region: COPY_A }],
      share: {
        public: true,
        accountIds: [SHARE_WITH],
        organizationArns: [ORG],
        organizationalUnitArns: [OU],
      },
    });
    // Assess
    const kinds = ['public', 'accounts', 'organizations', 'organizationalUnits'];
    expect(ec2.calls.map((c) => `${c.region}:${kindOf(c.permissions)}`)).toEqual(
      [SOURCE, COPY_A].flatMap((region) => kinds.map((k) => `${region}:${k}`)),
    );
    expect(ec2.calls[1]?.permissions).toEqual({
      userIds: [SHARE_WITH],
      organizationArns: [],
      organizationalUnitArns: [],
      public: false,
    });
    expect(result.regions).toEqual(
      [SOURCE, COPY_A].map((region) => ({
        region,
        imageId: IMAGE_OF[region],
        status: 'shared',
        kinds: kinds.map((kind) => ({ kind, status: 'shared' })),
      })),
    );
  });

  it('a public share refused by AWS (image block public access) keeps the account and organization shares, and says why', async () => {
    // Prepare: block public access is on in the copy region only.
    const ec2 = fakeEc2(unencrypted, (region, p) =>
      region === COPY_A && p.public
        ? [BLOCK_PUBLIC_ACCESS_CODE, 'Image block public access is enabled in this Region']
        : undefined,
    );
    // Act
    const { result, summary } = await share(ec2, {
      copyRegions: [{ region: COPY_A }],
      share: { public: true, accountIds: [SHARE_WITH], organizationArns: [ORG] },
    });
    // Assess
    const copy = result.regions.find((r) => r.region === COPY_A);
    expect(copy?.status).toBe('shared');
    expect(copy?.kinds).toEqual([
      {
        kind: 'public',
        status: 'refused',
        code: BLOCK_PUBLIC_ACCESS_CODE,
        reason: expect.stringContaining('Image block public access is enabled'),
      },
      { kind: 'accounts', status: 'shared' },
      { kind: 'organizations', status: 'shared' },
    ]);
    expect(ec2.calls.filter((c) => c.region === COPY_A).map((c) => kindOf(c.permissions))).toEqual([
      'public',
      'accounts',
      'organizations',
    ]);
    expect(summary.regions.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(summary.notes).toEqual([
      expect.stringMatching(
        new RegExp(
          `^public sharing refused: ${BLOCK_PUBLIC_ACCESS_CODE}: .*block public access.*\\(${COPY_A}\\)$`,
        ),
      ),
    ]);
  });

  it('an AMI encrypted with aws/ebs is not offered to accounts, organizations or OUs: refused with the reason and the fix, no call', async () => {
    // Prepare: default EBS encryption in the source region; the copy is re-encrypted with a customer key.
    const ec2 = fakeEc2((region) =>
      region === SOURCE ? { encrypted: true, kmsKeyId: MANAGED_KEY } : { encrypted: true, kmsKeyId: KEY_A },
    );
    // Act
    const { result, summary } = await share(ec2, {
      copyRegions: [{ region: COPY_A, kmsKeyId: KEY_A }],
      share: { accountIds: [SHARE_WITH], organizationalUnitArns: [OU] },
    });
    // Assess
    expect(ec2.calls.map((c) => `${c.region}:${kindOf(c.permissions)}`)).toEqual([
      `${COPY_A}:accounts`,
      `${COPY_A}:organizationalUnits`,
    ]);
    const source = result.regions.find((r) => r.region === SOURCE);
    expect(source?.status).toBe('failed');
    for (const kind of source?.kinds ?? []) {
      expect(kind).toMatchObject({ status: 'refused', code: 'InvalidParameter' });
      expect(kind.reason).toContain('AWS managed key aws/ebs');
      expect(kind.reason).toContain("set the policy's copy KMS key");
    }
    expect(source?.kinds?.map((k) => k.kind)).toEqual(['accounts', 'organizationalUnits']);
    expect(summary.regions.map((r) => [r.region, r.status])).toEqual([
      [SOURCE, 'failed'],
      [COPY_A, 'succeeded'],
    ]);
    expect(summary.regions[0]?.failure).toMatchObject({ error: 'ImageShareFailed', step: 'share' });
    expect(summary.regions[0]?.failure?.reason).toContain('re-encrypt the copy with a customer-managed key');
  });

  it("AWS's own refusal of an aws/ebs AMI (a key ARN not recognisable without KMS) is reported with the fix too", async () => {
    const ec2 = fakeEc2(
      () => ({ encrypted: true, kmsKeyId: KEY_A }),
      (_region, p) =>
        p.userIds.length > 0
          ? [
              'InvalidParameter',
              "Snapshots encrypted with the AWS Managed CMK can't be shared. Specify another snapshot.",
            ]
          : undefined,
    );
    const { result } = await share(ec2, { copyRegions: [], share: { accountIds: [SHARE_WITH] } });
    expect(result.regions[0]?.status).toBe('failed');
    expect(result.regions[0]?.kinds?.[0]).toMatchObject({
      kind: 'accounts',
      status: 'refused',
      code: 'InvalidParameter',
    });
    expect(result.regions[0]?.kinds?.[0]?.reason).toContain("set the policy's copy KMS key");
  });

  // KMS API Reference, DescribeKey: KeyMetadata.KeyManager is `AWS` for an AWS managed key.
  // DescribeSnapshots names aws/ebs by its key ARN, which only DescribeKey recognises.
  it('recognises aws/ebs by its key ARN through KMS DescribeKey (KeyManager AWS) and refuses before calling; a customer key is shared', async () => {
    // Prepare: the source snapshot under the aws/ebs key ARN, the copy under a customer key
    const ebsKeyArn = `arn:aws:kms:${SOURCE}:123456789012:key/0e0e0e0e-1111-2222-3333-444444444444`;
    const ec2 = fakeEc2((region) => ({ encrypted: true, kmsKeyId: region === SOURCE ? ebsKeyArn : KEY_A }));
    const asked: string[] = [];
    const kms: KeyManagerFactory = (region) => ({
      describeKey: async (keyId) => {
        asked.push(`${region}:${keyId}`);
        return { arn: keyId, awsManaged: keyId === ebsKeyArn };
      },
    });
    // Act
    const { result } = await share(
      ec2,
      { copyRegions: [{ region: COPY_A, kmsKeyId: KEY_A }], share: { accountIds: [SHARE_WITH] } },
      {},
      kms,
    );
    // Assess: only the copy was offered to the account; the source was refused with the fix
    expect(asked).toEqual([`${SOURCE}:${ebsKeyArn}`, `${COPY_A}:${KEY_A}`]);
    expect(ec2.calls.map((c) => `${c.region}:${kindOf(c.permissions)}`)).toEqual([`${COPY_A}:accounts`]);
    expect(result.regions.map((r) => [r.region, r.status])).toEqual([
      [SOURCE, 'failed'],
      [COPY_A, 'shared'],
    ]);
    expect(result.regions[0]?.kinds?.[0]).toMatchObject({
      kind: 'accounts',
      status: 'refused',
      code: 'InvalidParameter',
    });
    expect(result.regions[0]?.kinds?.[0]?.reason).toContain('AWS managed key aws/ebs');
    expect(result.regions[0]?.kinds?.[0]?.reason).toContain("set the policy's copy KMS key");
  });

  it('a key KMS will not describe is left to AWS: the share is tried', async () => {
    const ec2 = fakeEc2(() => ({ encrypted: true, kmsKeyId: KEY_A }));
    const kms: KeyManagerFactory = () => ({ describeKey: async () => undefined });
    const { result } = await share(ec2, { copyRegions: [], share: { accountIds: [SHARE_WITH] } }, {}, kms);
    expect(ec2.calls.map((c) => kindOf(c.permissions))).toEqual(['accounts']);
    expect(result.regions[0]?.status).toBe('shared');
  });

  it('an encrypted AMI is never made public (no call), its account shares still are', async () => {
    const ec2 = fakeEc2(() => ({ encrypted: true, kmsKeyId: KEY_A }));
    const { result } = await share(ec2, {
      copyRegions: [],
      share: { public: true, accountIds: [SHARE_WITH] },
    });
    expect(ec2.calls.map((c) => kindOf(c.permissions))).toEqual(['accounts']);
    expect(result.regions[0]?.kinds).toEqual([
      {
        kind: 'public',
        status: 'refused',
        code: 'UnsupportedOperation',
        reason: expect.stringContaining('cannot be made public'),
      },
      { kind: 'accounts', status: 'shared' },
    ]);
  });

  it('throttling still propagates for the Retry', async () => {
    const ec2 = fakeEc2(unencrypted, () => ['RequestLimitExceeded', 'Request limit exceeded.']);
    await expect(share(ec2, { copyRegions: [], share: { accountIds: [SHARE_WITH] } })).rejects.toMatchObject({
      name: 'Ec2Throttled',
    });
  });
});

describe('planShare', () => {
  const request = {
    public: true,
    accountIds: ['111122223333'],
    organizationArns: [ORG],
    organizationalUnitArns: [],
  };
  const snap = (encrypted: boolean, kmsKeyId?: string) => ({
    snapshotId: 'snap-1',
    encrypted,
    ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
  });
  it.each([
    ['unencrypted', [snap(false)], false, ['public:call', 'accounts:call', 'organizations:call']],
    [
      'customer key',
      [snap(true, KEY_A)],
      false,
      ['public:UnsupportedOperation', 'accounts:call', 'organizations:call'],
    ],
    [
      'aws/ebs alias ARN',
      [snap(true, MANAGED_KEY)],
      false,
      ['public:UnsupportedOperation', 'accounts:InvalidParameter', 'organizations:InvalidParameter'],
    ],
    [
      'aws/ebs alias',
      [snap(true, 'alias/aws/ebs')],
      false,
      ['public:UnsupportedOperation', 'accounts:InvalidParameter', 'organizations:InvalidParameter'],
    ],
    [
      'encrypted, key not given (default key)',
      [snap(true)],
      false,
      ['public:UnsupportedOperation', 'accounts:InvalidParameter', 'organizations:InvalidParameter'],
    ],
    ['Marketplace', [snap(false)], true, ['public:InvalidParameter', 'accounts:call', 'organizations:call']],
  ])('%s', (_name, snapshots, marketplace, expected) => {
    const plans = planShare(request, { imageId: 'ami-1', marketplace, snapshots });
    expect(plans.map((p) => `${p.kind}:${'refused' in p ? p.refused.code : 'call'}`)).toEqual(expected);
  });
});
