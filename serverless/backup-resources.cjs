// Resources of the backup workflow that depend on the stage config: one EventBridge
// Scheduler schedule per policy (cron + time zone from the config).
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
        Input: JSON.stringify({ policy, scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
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
  for (const policy of policies) out[`BackupSchedule${pascal(policy.name)}`] = schedule(policy, stage);
  return out;
}

module.exports = { resources, pascal };
