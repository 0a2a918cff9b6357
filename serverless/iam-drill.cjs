// IAM of the failover drill functions (serverless/functions-drill.yml), built from the stage's
// parsed `drills` — nothing of a drill the config does not name:
// - Global Accelerator: DescribeAccelerator on the configured accelerators, DescribeEndpointGroup
//   (and, for Dial and Revert, UpdateEndpointGroup) on the configured endpoint groups only; no
//   create, delete or endpoint changes (Service Authorization Reference, "Actions, resources,
//   and condition keys for AWS Global Accelerator": accelerator* / endpointgroup* resource
//   types; its ARNs have no region, and the API is called in us-west-2 only: Global
//   Accelerator API Reference, "you must specify the US West (Oregon) Region").
// - EC2: CreateLaunchTemplateVersion on the configured standby templates only (resource type
//   launch-template); DescribeLaunchTemplateVersions supports no resource-level permission: `*`.
// - CloudWatch: DescribeAlarms on the gate alarms' ARNs (resource type alarm). A composite
//   alarm is described only with `*` (DescribeAlarms API reference), so one as a gate reads
//   as missing and the gate refuses the drill: safe.
// - ELBv2 target health (Describe*: `*`), from serverless/iam-backup.cjs.
// - The run records bucket: verification results read, the drill locks under drill-locks/.
const { stageConfig } = require('./stage-config.cjs');
const { drillTargetHealthStatements } = require('./iam-backup.cjs');

const sub = (text) => ({ 'Fn::Sub': text });
/** A configured ARN (`arn:aws:…`) in the deployment's partition. */
const partitioned = (arn) => sub(arn.replace(/^arn:aws:/, `arn:\${AWS::Partition}:`));
/** A resource no drill has: the stage drills nothing, so no statement may match anything. */
const NONE = 'none-configured';

async function drills(context) {
  return (await stageConfig(context)).drills;
}

const orNone = (list, none) => (list.length > 0 ? list : [none]);

/** One Global Accelerator action on the configured endpoint groups only. */
const groupsStatement = (list, action) => ({
  Effect: 'Allow',
  Action: [action],
  Resource: orNone(
    [...new Set(list.flatMap((d) => [d.primary.endpointGroupArn, d.standby.endpointGroupArn]))].map(
      partitioned,
    ),
    sub(
      `arn:\${AWS::Partition}:globalaccelerator::\${AWS::AccountId}:accelerator/${NONE}/listener/${NONE}/endpoint-group/${NONE}`,
    ),
  ),
});

const describeGroups = (list) => [
  {
    Effect: 'Allow',
    Action: ['globalaccelerator:DescribeAccelerator'],
    Resource: orNone(
      [...new Set(list.map((d) => d.acceleratorArn))].map(partitioned),
      sub(`arn:\${AWS::Partition}:globalaccelerator::\${AWS::AccountId}:accelerator/${NONE}`),
    ),
  },
  groupsStatement(list, 'globalaccelerator:DescribeEndpointGroup'),
];

const alarms = (list) => ({
  Effect: 'Allow',
  Action: ['cloudwatch:DescribeAlarms'],
  Resource: orNone(
    list.flatMap((d) =>
      d.alarms.map((a) =>
        sub(`arn:\${AWS::Partition}:cloudwatch:${a.region}:\${AWS::AccountId}:alarm:${a.name}`),
      ),
    ),
    sub(`arn:\${AWS::Partition}:cloudwatch:*:\${AWS::AccountId}:alarm:${NONE}`),
  ),
});

const runsBucketPath = (path) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': ['BackupRunsBucket', 'Arn'] }, path]],
});

const describeTemplates = {
  Effect: 'Allow',
  Action: ['ec2:DescribeLaunchTemplateVersions'],
  Resource: '*',
};

/** drillStart: the parity gate (reads only) and the lock. */
async function startStatements(context) {
  const list = await drills(context);
  return [
    ...describeGroups(list),
    alarms(list),
    describeTemplates,
    ...drillTargetHealthStatements(list),
    {
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: { 'Fn::GetAtt': ['BackupRunsBucket', 'Arn'] },
      Condition: { StringLike: { 's3:prefix': 'verifications/*' } },
    },
    { Effect: 'Allow', Action: ['s3:GetObject'], Resource: runsBucketPath('/verifications/*') },
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: runsBucketPath('/drill-locks/*') },
  ];
}

/** drillTemplate: a new version of the configured standby templates only. */
async function templateStatements(context) {
  const list = await drills(context);
  return [
    describeTemplates,
    {
      Effect: 'Allow',
      Action: ['ec2:CreateLaunchTemplateVersion'],
      Resource: orNone(
        list.map((d) =>
          sub(
            `arn:\${AWS::Partition}:ec2:${d.standby.region}:\${AWS::AccountId}:launch-template/${d.standby.launchTemplateId}`,
          ),
        ),
        sub(`arn:\${AWS::Partition}:ec2:*:\${AWS::AccountId}:launch-template/${NONE}`),
      ),
    },
  ];
}

/** drillDial: the dials of the configured groups, and the gate alarms during the bakes. */
async function dialStatements(context) {
  const list = await drills(context);
  return [
    ...describeGroups(list),
    groupsStatement(list, 'globalaccelerator:UpdateEndpointGroup'),
    alarms(list),
  ];
}

/** drillRevert: the recorded dials back, then the lock released. */
async function revertStatements(context) {
  const list = await drills(context);
  return [
    ...describeGroups(list),
    groupsStatement(list, 'globalaccelerator:UpdateEndpointGroup'),
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:DeleteObject'],
      Resource: runsBucketPath('/drill-locks/*'),
    },
  ];
}

module.exports = { startStatements, templateStatements, dialStatements, revertStatements };
