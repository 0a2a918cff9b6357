// IAM of the backup functions that depends on the stage config: the regions a policy copies
// from and to, and the KMS keys of the copies. Every ARN takes the deployment's partition
// (`${AWS::Partition}`: aws, aws-cn, aws-us-gov), never a hard-coded `arn:aws:`.
const { backupPolicies } = require('./backup-config.cjs');
const { copyStepStatements, resumeWaitStatements } = require('./backup-events.cjs');

/** CopyImage with KmsKeyId needs these on the destination key, and on nothing else. */
const KMS_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\//;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(alias\/.+)$/;

const sub = (text) => ({ 'Fn::Sub': text });
/** `arn:<partition>:ec2:<region>::<type>/*` (images and snapshots have no account in their ARN). */
const ec2Arn = (region, type) => sub(`arn:\${AWS::Partition}:ec2:${region}::${type}/*`);
const managed = (key) => ({ StringEquals: { [key]: 'true' } });

/**
 * Key ARNs become Resources; aliases (which IAM cannot name as a resource) a kms:ResourceAliases
 * condition on the account's keys of their region. `keys`: [{ key, region }] (region: where a
 * bare alias/… lives).
 */
function keyStatements(keys, actions, condition) {
  const keyArns = new Set();
  const aliases = new Map(); // region -> Set(alias/…)
  const addAlias = (region, name) =>
    (aliases.get(region) ?? aliases.set(region, new Set()).get(region)).add(name);
  for (const { key, region } of keys) {
    const aliasArn = ALIAS_ARN.exec(key);
    if (KEY_ARN.test(key)) keyArns.add(key);
    else if (aliasArn) addAlias(aliasArn[1], aliasArn[2]);
    else addAlias(region, key);
  }
  const statements = [];
  if (keyArns.size > 0)
    statements.push({
      Effect: 'Allow',
      Action: actions,
      Resource: [...keyArns].sort(),
      ...(condition === undefined ? {} : { Condition: condition }),
    });
  for (const [region, names] of [...aliases].sort()) {
    statements.push({
      Effect: 'Allow',
      Action: actions,
      Resource: sub(`arn:\${AWS::Partition}:kms:${region}:\${AWS::AccountId}:key/*`),
      Condition: { ...condition, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [...names].sort() } },
    });
  }
  return statements;
}

/** The copy regions' encryption keys (copyRegions[].kmsKeyId). */
function kmsStatements(policies) {
  const keys = policies.flatMap((policy) =>
    (policy.copyRegions ?? []).flatMap((copy) =>
      typeof copy.kmsKeyId === 'string' ? [{ key: copy.kmsKeyId, region: copy.region }] : [],
    ),
  );
  return keyStatements(keys, KMS_ACTIONS);
}

/**
 * The source keys (sourceKmsKeys) as CopyImage uses them: EC2 reads the source snapshots with
 * them and, when the copy gets another key, re-encrypts from them (Amazon EBS User Guide,
 * "Requirements for Amazon EBS encryption": kms:CreateGrant, Decrypt, DescribeKey, ReEncrypt*,
 * CreateGrant only with kms:GrantIsForAWSResource). The function never calls KMS itself, so
 * every use is EC2's on its behalf (kms:ViaService ec2.<region>.amazonaws.com[.cn]; which
 * region's EC2 a cross-region copy names is not documented, hence the wildcard [unconfirmed]).
 */
const VIA_EC2 = { StringLike: { 'kms:ViaService': ['ec2.*.amazonaws.com', 'ec2.*.amazonaws.com.cn'] } };
const SOURCE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncrypt*'];

const sourceKeysOf = (policies) =>
  policies.flatMap((policy) =>
    (policy.copyRegions ?? []).length === 0
      ? []
      : (policy.sourceKmsKeys ?? []).map((key) => ({ key, region: policy.sourceRegion })),
  );

function sourceKeyStatements(policies) {
  const keys = sourceKeysOf(policies);
  return [
    ...keyStatements(keys, SOURCE_KEY_ACTIONS, VIA_EC2),
    ...keyStatements(keys, ['kms:CreateGrant'], {
      ...VIA_EC2,
      Bool: { 'kms:GrantIsForAWSResource': 'true' },
    }),
  ];
}

const sorted = (values) => [...new Set(values)].sort();

/**
 * backupCopyImage's EC2 statements. Since 2024-10-28 CopyImage is authorised on the source AMI
 * as well as on the new one (EC2 User Guide, "Grant permissions to copy Amazon EC2 AMIs";
 * Service Authorization Reference, Amazon EC2, CopyImage): the source images (and their
 * snapshots) of the policies' source regions only when Shipyard-managed (aws:ResourceTag),
 * the new images and snapshots of the copy regions only when the request tags them
 * (aws:RequestTag), and CreateTags only as part of the copy.
 */
function copyImageEc2Statements(policies) {
  const copying = policies.filter((policy) => (policy.copyRegions ?? []).length > 0);
  const sources = sorted(copying.map((policy) => policy.sourceRegion));
  const destinations = sorted(copying.flatMap((policy) => policy.copyRegions.map((copy) => copy.region)));
  const both = (regions) =>
    regions.flatMap((region) => [ec2Arn(region, 'image'), ec2Arn(region, 'snapshot')]);
  const statements = [{ Effect: 'Allow', Action: ['ec2:DescribeImages'], Resource: '*' }];
  if (copying.length === 0) return statements;
  return [
    ...statements,
    {
      Sid: 'CopyImageSource',
      Effect: 'Allow',
      Action: ['ec2:CopyImage'],
      Resource: both(sources),
      Condition: managed('aws:ResourceTag/shipyard:managed'),
    },
    {
      Sid: 'CopyImageTarget',
      Effect: 'Allow',
      Action: ['ec2:CopyImage'],
      Resource: both(destinations),
      Condition: managed('aws:RequestTag/shipyard:managed'),
    },
    {
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: both(destinations),
      Condition: { StringEquals: { 'ec2:CreateAction': 'CopyImage' } },
    },
  ];
}

/** All of backupCopyImage's statements (EC2 + the configured KMS keys + its parked wait). */
async function copyImageStatements(context) {
  const policies = await backupPolicies(context);
  return [
    ...copyImageEc2Statements(policies),
    ...kmsStatements(policies),
    ...sourceKeyStatements(policies),
    ...copyStepStatements(),
  ];
}

/** backupResumeWait: its own statements, and the copy step's EC2/KMS ones to start queued copies. */
async function resumeWaitCopyStatements(context) {
  const policies = await backupPolicies(context);
  return [
    ...resumeWaitStatements(),
    ...copyImageEc2Statements(policies),
    ...kmsStatements(policies),
    ...sourceKeyStatements(policies),
  ];
}

/**
 * backupShareImage: kms:DescribeKey tells the AWS managed aws/ebs key (KeyManager AWS) from a
 * customer managed one, which DescribeSnapshots names only by key ARN. Allowed on the configured
 * keys (source and copies) and, by its alias, on aws/ebs in the policies' regions (whether
 * kms:ResourceAliases matches an AWS managed key's alias is not documented [unconfirmed]: a
 * refused DescribeKey leaves the key unknown, and AWS's own refusal of the share reports it).
 */
function shareImageKmsStatements(policies) {
  const sharing = policies.filter((policy) => {
    const share = policy.share ?? {};
    return (
      share.public === true ||
      (share.accountIds ?? []).length +
        (share.organizationArns ?? []).length +
        (share.organizationalUnitArns ?? []).length >
        0
    );
  });
  const configured = [
    ...sharing.flatMap((policy) =>
      (policy.sourceKmsKeys ?? []).map((key) => ({ key, region: policy.sourceRegion })),
    ),
    ...sharing.flatMap((policy) =>
      (policy.copyRegions ?? []).flatMap((copy) =>
        typeof copy.kmsKeyId === 'string' ? [{ key: copy.kmsKeyId, region: copy.region }] : [],
      ),
    ),
  ];
  const regions = sorted(
    sharing.flatMap((policy) => [
      policy.sourceRegion,
      ...(policy.copyRegions ?? []).map((copy) => copy.region),
    ]),
  );
  return [
    ...keyStatements(configured, ['kms:DescribeKey']),
    ...keyStatements(
      regions.map((region) => ({ key: 'alias/aws/ebs', region })),
      ['kms:DescribeKey'],
    ),
  ];
}

/** All of backupShareImage's statements. */
async function shareImageStatements(context) {
  const policies = await backupPolicies(context);
  return [
    // The AMI's snapshots and their KMS keys: which kinds of sharing AWS would refuse.
    { Effect: 'Allow', Action: ['ec2:DescribeImages', 'ec2:DescribeSnapshots'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['ec2:ModifyImageAttribute'],
      Resource: sub(`arn:\${AWS::Partition}:ec2:*::image/*`),
      Condition: managed('aws:ResourceTag/shipyard:managed'),
    },
    ...shareImageKmsStatements(policies),
  ];
}

/**
 * The verification's HTTP probe (verify.httpProbe): ssm:SendCommand with the AWS-owned
 * AWS-RunShellScript document only (its ARN has no account), on instances only while they
 * carry Shipyard's verification tags (SSM User Guide, "Restricting Run Command access based on
 * tags": `ssm:resourceTag/<key>` on the instance resource). Document and instances are two
 * statements: a tag condition on the document, which has no such tag, would deny it.
 * GetCommandInvocation has no resource type to scope [unconfirmed: Service Authorization
 * Reference lists none], so it is allowed on `*`. Merged into the verify function's role.
 */
function verifyProbeStatements(policies) {
  const probing = policies.filter((policy) => policy.verify?.httpProbe !== undefined);
  const regions = sorted(probing.flatMap((policy) => policy.verify.regions.map((entry) => entry.region)));
  if (regions.length === 0) return [];
  return [
    {
      Sid: 'VerifyProbeDocument',
      Effect: 'Allow',
      Action: ['ssm:SendCommand'],
      Resource: regions.map((region) =>
        sub(`arn:\${AWS::Partition}:ssm:${region}::document/AWS-RunShellScript`),
      ),
    },
    {
      Sid: 'VerifyProbeInstances',
      Effect: 'Allow',
      Action: ['ssm:SendCommand'],
      Resource: regions.map((region) =>
        sub(`arn:\${AWS::Partition}:ec2:${region}:\${AWS::AccountId}:instance/*`),
      ),
      Condition: {
        StringEquals: {
          'ssm:resourceTag/shipyard:managed': 'true',
          'ssm:resourceTag/shipyard:kind': 'verification',
        },
      },
    },
    { Effect: 'Allow', Action: ['ssm:GetCommandInvocation'], Resource: '*' },
  ];
}

/**
 * The drill's parity gate reads ELBv2 target health when a standby endpoint is an ALB/NLB:
 * the two Describe actions, which take no resource-level permissions (Service Authorization
 * Reference, Elastic Load Balancing V2: Describe* apply to `*`). Only when a drill is
 * configured; merged into the drill function's role.
 */
function drillTargetHealthStatements(drills) {
  if (drills.length === 0) return [];
  return [
    {
      Sid: 'DrillTargetHealth',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
      Resource: '*',
    },
  ];
}

module.exports = {
  copyImageStatements,
  resumeWaitCopyStatements,
  drillTargetHealthStatements,
  verifyProbeStatements,
  copyImageEc2Statements,
  kmsStatements,
  sourceKeyStatements,
  shareImageStatements,
  shareImageKmsStatements,
};
