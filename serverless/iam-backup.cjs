// IAM of the backup functions that depends on the stage config: the KMS keys of the copy
// regions. CopyImage with KmsKeyId needs CreateGrant/Decrypt/ReEncrypt*/GenerateDataKey*/
// DescribeKey on that key, and on nothing else.
const { backupPolicies } = require('./backup-config.cjs');

const KMS_ACTIONS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\//;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(alias\/.+)$/;

/** Key ARNs become Resources; aliases (which IAM cannot name as a resource) a kms:ResourceAliases condition. */
function kmsStatements(policies) {
  const keyArns = new Set();
  const aliases = new Map(); // region -> Set(alias/…)
  for (const policy of policies) {
    for (const copy of policy.copyRegions ?? []) {
      const key = copy.kmsKeyId;
      if (typeof key !== 'string') continue;
      const aliasArn = ALIAS_ARN.exec(key);
      if (KEY_ARN.test(key)) keyArns.add(key);
      else if (aliasArn)
        (aliases.get(aliasArn[1]) ?? aliases.set(aliasArn[1], new Set()).get(aliasArn[1])).add(aliasArn[2]);
      else (aliases.get(copy.region) ?? aliases.set(copy.region, new Set()).get(copy.region)).add(key);
    }
  }
  const statements = [];
  if (keyArns.size > 0)
    statements.push({ Effect: 'Allow', Action: KMS_ACTIONS, Resource: [...keyArns].sort() });
  for (const [region, names] of [...aliases].sort()) {
    statements.push({
      Effect: 'Allow',
      Action: KMS_ACTIONS,
      Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:kms:${region}:\${AWS::AccountId}:key/*` },
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [...names].sort() } },
    });
  }
  return statements;
}

const managed = (key) => ({ StringEquals: { [key]: 'true' } });

/** All of backupCopyImage's statements (EC2 + the configured KMS keys). */
async function copyImageStatements(context) {
  return [
    { Effect: 'Allow', Action: ['ec2:DescribeImages'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['ec2:CopyImage'],
      Resource: ['arn:aws:ec2:*::image/*', 'arn:aws:ec2:*::snapshot/*'],
      Condition: managed('aws:RequestTag/shipyard:managed'),
    },
    {
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: ['arn:aws:ec2:*::image/*', 'arn:aws:ec2:*::snapshot/*'],
      Condition: { StringEquals: { 'ec2:CreateAction': 'CopyImage' } },
    },
    ...kmsStatements(await backupPolicies(context)),
  ];
}

module.exports = { copyImageStatements, kmsStatements };
