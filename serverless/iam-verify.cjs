// IAM of the verification functions that depends on the stage config: RunInstances only into
// the configured verification subnets with the configured security groups (every policy's
// verify.regions), the new instance and its volumes tagged `shipyard:managed=true` +
// `shipyard:kind=verification` in the request, tags only as part of that RunInstances
// (ec2:CreateAction), and no iam:PassRole anywhere, so no instance profile can be attached.
// Sources: EC2 User Guide, "Grant permission to tag resources during creation" (aws:RequestTag,
// aws:TagKeys, ec2:CreateAction = RunInstances) and "Example policies for working with RunInstances"
// (the subnet, security-group, network-interface, instance, volume and image resources it needs).
const { backupPolicies } = require('./backup-config.cjs');
const { verifyProbeStatements } = require('./iam-backup.cjs');

const sub = (text) => ({ 'Fn::Sub': text });
/** Every region's AMIs (images have no account in their ARN). */
const ANY_IMAGE = sub(`arn:\${AWS::Partition}:ec2:*::image/*`);
const accountArn = (region, type, id) =>
  sub(`arn:\${AWS::Partition}:ec2:${region}:\${AWS::AccountId}:${type}/${id}`);
/** A resource no subnet or group has: the stage verifies nothing, so RunInstances is allowed nowhere. */
const NONE = 'none-configured';

/** The tags every verification instance and volume carries on create (shared/backup/verification.ts). */
const VERIFICATION_REQUEST_TAGS = {
  'aws:RequestTag/shipyard:managed': 'true',
  'aws:RequestTag/shipyard:kind': 'verification',
};

async function verifyRegions(context) {
  return (await backupPolicies(context)).flatMap((p) => p.verify?.regions ?? []);
}

/** RunInstances into a verification subnet only, tagged as a verification on create. */
async function runInstancesStatements(context) {
  const regions = await verifyRegions(context);
  const subnets = regions.map((r) => accountArn(r.region, 'subnet', r.subnetId));
  const groups = regions.map((r) => accountArn(r.region, 'security-group', r.securityGroupId));
  return [
    {
      Effect: 'Allow',
      Action: ['ec2:RunInstances'],
      Resource: [
        ...(subnets.length > 0 ? subnets : [accountArn('*', 'subnet', NONE)]),
        ...(groups.length > 0 ? groups : [accountArn('*', 'security-group', NONE)]),
      ],
    },
    // The network interface RunInstances creates, only in a verification subnet, without a public IP.
    {
      Effect: 'Allow',
      Action: ['ec2:RunInstances'],
      Resource: accountArn('*', 'network-interface', '*'),
      Condition: {
        ArnEquals: { 'ec2:Subnet': subnets.length > 0 ? subnets : [accountArn('*', 'subnet', NONE)] },
        Bool: { 'ec2:AssociatePublicIpAddress': 'false' },
      },
    },
    // Any AMI may be verified (foreign ones too: read-only towards them).
    { Effect: 'Allow', Action: ['ec2:RunInstances'], Resource: ANY_IMAGE },
    {
      Effect: 'Allow',
      Action: ['ec2:RunInstances'],
      Resource: [accountArn('*', 'instance', '*'), accountArn('*', 'volume', '*')],
      Condition: { StringEquals: VERIFICATION_REQUEST_TAGS },
    },
    {
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: [accountArn('*', 'instance', '*'), accountArn('*', 'volume', '*')],
      Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    },
  ];
}

const runsBucketPath = (path) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': ['BackupRunsBucket', 'Arn'] }, path]],
});

/** verifyCheck: one round of a verification (launch, judge, terminate, record, tag, alarm). */
async function checkStatements(context) {
  return [
    {
      Effect: 'Allow',
      Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ssm:DescribeInstanceInformation'],
      Resource: '*',
    },
    ...(await runInstancesStatements(context)),
    {
      Effect: 'Allow',
      Action: ['ec2:TerminateInstances'],
      Resource: accountArn('*', 'instance', '*'),
      Condition: {
        StringEquals: {
          'aws:ResourceTag/shipyard:managed': 'true',
          'aws:ResourceTag/shipyard:kind': 'verification',
        },
      },
    },
    // The result on Shipyard's own AMIs only (shipyard:verified=<date>, shipyard:verification-result).
    {
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: ANY_IMAGE,
      Condition: {
        StringEquals: { 'aws:ResourceTag/shipyard:managed': 'true' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['shipyard:verified', 'shipyard:verification-result'] },
      },
    },
    {
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: [runsBucketPath('/verifications/*'), runsBucketPath('/verification-launches/*')],
    },
    // The recorded launch intents: a launch retried after a crash keeps its recorded deadline.
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:DeleteObject'],
      Resource: runsBucketPath('/verification-launches/*'),
    },
    {
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: { 'Fn::GetAtt': ['BackupRunsBucket', 'Arn'] },
      Condition: { StringLike: { 's3:prefix': 'verification-launches/*' } },
    },
    {
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricData'],
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'Shipyard' } },
    },
    // The HTTP probe (verify.httpProbe) runs in the rounds: SSM Run Command on our instances only.
    ...verifyProbeStatements(await backupPolicies(context)),
  ];
}

module.exports = { checkStatements };
