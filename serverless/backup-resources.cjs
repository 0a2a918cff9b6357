// Resources of the backup workflow that depend on the stage config: one EventBridge
// Scheduler schedule per policy (cron + time zone from the config), the run records bucket,
// and a read-only copy of each deployed policy in SSM Parameter Store for the CLI.
//
// The schedules' Input names the policy only: the functions load the deployed policy from
// the config file packaged with them, never from an input.
//
// Why the schedules target the small backupStart Lambda and not the state machine:
// scheduled runs must be idempotent, i.e. named `<policy>-<local date>` so that a
// duplicate trigger hits ExecutionAlreadyExists instead of making a second set of backups.
// Scheduler's Step Functions target cannot set the execution name, and its universal
// target (sfn:startExecution) can only paste `<aws.scheduler.scheduled-time>` verbatim:
// an ISO time contains `:` (forbidden in execution names) and is a UTC instant, not the
// policy's local date. backupStart computes the name from the scheduled time in the
// policy's time zone and treats ExecutionAlreadyExists as done.
// The policies come validated and parsed (cron normalised to its six fields) from the config.
const { backupPolicies } = require('./backup-config.cjs');

const pascal = (name) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');

function schedule(policy, stage) {
  return {
    Type: 'AWS::Scheduler::Schedule',
    Properties: {
      Name: `shipyard-${stage}-backup-${policy.name}`,
      Description: `Nightly backup of policy ${policy.name}`,
      ScheduleExpression: `cron(${policy.schedule.cron})`,
      ScheduleExpressionTimezone: policy.schedule.timeZone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': ['BackupStartLambdaFunction', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['BackupSchedulerRole', 'Arn'] },
        Input: JSON.stringify({ policy: policy.name, scheduledTime: '<aws.scheduler.scheduled-time>' }),
        // backupStart refuses a scheduledTime older than this (+ slack): shared/backup-service/schedule-window.ts.
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    },
  };
}

/** SSM String parameters hold at most 4 KB in the standard tier. */
const SSM_STANDARD_MAX = 4096;

/** Where the CLI reads the deployed policy (read-only for it; the functions never read it). */
const policyParameterName = (stage, name) => `/shipyard/${stage}/backup-policies/${name}`;

/** Object keys sorted at every level: one text per policy, whatever order the file used. */
const canonical = (value) => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical(value[k])]),
  );
};

function policyParameter(policy, stage) {
  const value = JSON.stringify({ policy: canonical(policy) });
  if (value.length > SSM_STANDARD_MAX)
    throw new Error(
      `backup policy ${policy.name}: ${value.length} characters, over the SSM parameter limit (${SSM_STANDARD_MAX})`,
    );
  return {
    Type: 'AWS::SSM::Parameter',
    Properties: {
      Name: policyParameterName(stage, policy.name),
      Type: 'String',
      Tier: 'Standard',
      Description: `Deployed backup policy ${policy.name} (as in the packaged config; read by shipyard backup run)`,
      Value: value,
    },
  };
}

/**
 * Run records (one create-only object per run id, written by DiscoverTargets): private,
 * encrypted, owner-enforced, all public access blocked, TLS only, versioned so that no
 * record is lost to an overwrite.
 */
function runsBucket() {
  return {
    BackupRunsBucket: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    },
    BackupRunsBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'BackupRunsBucket' },
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TlsOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [
                { 'Fn::GetAtt': ['BackupRunsBucket', 'Arn'] },
                { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['BackupRunsBucket', 'Arn'] }, '/*']] },
              ],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
  };
}

/** Days the run's files (Map items, exported child results, summaries) are kept. */
const RESULTS_EXPIRE_DAYS = 30;

/**
 * The run's files: the target list the Distributed Map reads (items/), the child executions'
 * results its ResultWriter exports (results/), the run summaries (summaries/) and the waiting
 * steps' parked task tokens (waits/). Private,
 * encrypted, owner-enforced, all public access blocked, TLS only; working files, so they
 * expire (the run records, which rotation relies on, live in BackupRunsBucket and are kept).
 */
function resultsBucket() {
  return {
    BackupResultsBucket: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            // A parked wait lasts 12 h at most (the waiting steps' fallback rounds); one nobody
            // resumed (its Task had moved on) is removed after a day.
            { Id: 'ExpireWaits', Status: 'Enabled', Prefix: 'waits/', ExpirationInDays: 1 },
            {
              Id: 'ExpireRunFiles',
              Status: 'Enabled',
              ExpirationInDays: RESULTS_EXPIRE_DAYS,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
      },
    },
    BackupResultsBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'BackupResultsBucket' },
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'TlsOnly',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [
                { 'Fn::GetAtt': ['BackupResultsBucket', 'Arn'] },
                { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['BackupResultsBucket', 'Arn'] }, '/*']] },
              ],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
  };
}

async function resources(context) {
  const stage = await context.resolveVariable('sls:stage');
  const policies = await backupPolicies(context);
  const out = {
    BackupStateMachineLogGroup: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: `/aws/vendedlogs/states/shipyard-${stage}-backup`, RetentionInDays: 90 },
    },
    BackupSchedulerRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'scheduler.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'invoke-backup-start',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'lambda:InvokeFunction',
                  Resource: { 'Fn::GetAtt': ['BackupStartLambdaFunction', 'Arn'] },
                },
              ],
            },
          },
        ],
      },
    },
  };
  Object.assign(out, runsBucket(), resultsBucket());
  for (const policy of policies) {
    out[`BackupSchedule${pascal(policy.name)}`] = schedule(policy, stage);
    out[`BackupPolicyParameter${pascal(policy.name)}`] = policyParameter(policy, stage);
  }
  return out;
}

module.exports = { resources, pascal, policyParameterName };
