// Resources of restore verification that depend on the stage config: the verification state
// machine's log group; one EventBridge Scheduler schedule per policy with verify.schedule (its
// input names the policy only: verifyStart loads the deployed policy); the hourly sweep; and,
// when a policy verifies after each run, an EventBridge rule on the backup state machine's
// `Step Functions Execution Status Change` (SUCCEEDED or FAILED: a failed target does not stop
// the others' backups from being verified) that starts a verification with the event's detail.
// The verification does not hold the backup run open: it is its own execution.
const { backupPolicies } = require('./backup-config.cjs');
const { pascal } = require('./backup-resources.cjs');

/** How often the sweep looks for overdue verification instances (a deadline is at most 1 h). */
const SWEEP_RATE = 'rate(1 hour)';

const assumedBy = (service) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    },
  ],
});

const role = (service, name, statement) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: assumedBy(service),
    Policies: [{ PolicyName: name, PolicyDocument: { Version: '2012-10-17', Statement: [statement] } }],
  },
});

const startVerification = {
  Effect: 'Allow',
  Action: 'states:StartExecution',
  Resource: { Ref: 'VerifyStateMachine' },
};

function verifySchedule(policy, stage) {
  return {
    Type: 'AWS::Scheduler::Schedule',
    Properties: {
      Name: `shipyard-${stage}-verify-${policy.name}`,
      Description: `Restore verification of policy ${policy.name}`,
      ScheduleExpression: `cron(${policy.verify.schedule.cron})`,
      ScheduleExpressionTimezone: policy.verify.schedule.timeZone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { Ref: 'VerifyStateMachine' },
        RoleArn: { 'Fn::GetAtt': ['VerifySchedulerRole', 'Arn'] },
        Input: JSON.stringify({ policy: policy.name }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    },
  };
}

function sweepSchedule(stage) {
  return {
    Type: 'AWS::Scheduler::Schedule',
    Properties: {
      Name: `shipyard-${stage}-verify-sweep`,
      Description: 'Terminates recorded verification instances past their deadline',
      ScheduleExpression: SWEEP_RATE,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': ['VerifySweepLambdaFunction', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['VerifySweepSchedulerRole', 'Arn'] },
        Input: '{}',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    },
  };
}

const afterRunRule = () => ({
  Type: 'AWS::Events::Rule',
  Properties: {
    Description: 'Verify the backups of a policy after its backup execution ends',
    EventPattern: {
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { status: ['SUCCEEDED', 'FAILED'], stateMachineArn: [{ Ref: 'BackupStateMachine' }] },
    },
    State: 'ENABLED',
    Targets: [
      {
        Id: 'verify',
        Arn: { Ref: 'VerifyStateMachine' },
        RoleArn: { 'Fn::GetAtt': ['VerifyAfterRunRole', 'Arn'] },
        InputPath: '$.detail',
      },
    ],
  },
});

async function resources(context) {
  const stage = await context.resolveVariable('sls:stage');
  const policies = await backupPolicies(context);
  const out = {
    VerifyStateMachineLogGroup: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: `/aws/vendedlogs/states/shipyard-${stage}-verify`, RetentionInDays: 90 },
    },
    VerifySweepSchedulerRole: role('scheduler.amazonaws.com', 'invoke-verify-sweep', {
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: { 'Fn::GetAtt': ['VerifySweepLambdaFunction', 'Arn'] },
    }),
    VerifySweepSchedule: sweepSchedule(stage),
  };
  const scheduled = policies.filter((p) => p.verify?.schedule !== undefined);
  if (scheduled.length > 0)
    out.VerifySchedulerRole = role('scheduler.amazonaws.com', 'start-verification', startVerification);
  for (const policy of scheduled) out[`VerifySchedule${pascal(policy.name)}`] = verifySchedule(policy, stage);
  if (policies.some((p) => p.verify?.afterRun === true)) {
    out.VerifyAfterRunRole = role('events.amazonaws.com', 'start-verification', startVerification);
    out.VerifyAfterRunRule = afterRunRule();
  }
  return out;
}

module.exports = { resources };
