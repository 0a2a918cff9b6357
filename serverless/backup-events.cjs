// The EventBridge rule that resumes the backup workflow's waiting steps: EBS snapshot and AMI
// events (source aws.ec2) to ResumeWait in the home region. EC2 sends an event to the default
// bus of the region the resource is in (Amazon EBS User Guide, "EventBridge events for Amazon
// EBS"; EC2 User Guide, "Monitor AMI events using Amazon EventBridge"), so a copy's `EC2 AMI
// State Change` fires in its destination region: there a rule with the same pattern forwards
// it to the home region's default bus (EventBridge User Guide, "Sending and receiving events
// between AWS Regions"), where this rule picks it up. The tests put the same rules in the
// local cloud.
const DETAIL_TYPES = [
  'EBS Snapshot Notification',
  'EBS Multi-Volume Snapshots Completion Status',
  'EC2 AMI State Change',
];

/**
 * Only what a step waits for: snapshots made by CreateSnapshot(s) (not copySnapshot), AMIs
 * reaching a final state (not the `deregistered` of every rotation), so rotation and copies
 * invoke nothing.
 */
const AWAITED_EVENTS_PATTERN = {
  source: ['aws.ec2'],
  'detail-type': DETAIL_TYPES,
  $or: [
    { detail: { event: ['createSnapshot', 'createSnapshots'] } },
    { detail: { State: ['available', 'failed', 'error'] } },
  ],
};

/** The regions whose events must reach the home bus: every copy region of every policy (the home region's own need no forwarding). */
function forwardedRegions(policies, homeRegion) {
  const regions = new Set();
  for (const policy of policies ?? []) {
    for (const copy of policy.copyRegions ?? []) regions.add(copy.region);
    if (policy.sourceRegion) regions.add(policy.sourceRegion);
  }
  regions.delete(homeRegion);
  return [...regions].sort();
}

const resultsObjects = (prefix) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': ['BackupResultsBucket', 'Arn'] }, `/${prefix}*`]],
});

/**
 * SendTaskSuccess / SendTaskFailure. Neither supports resource-level permissions (Service
 * Authorization Reference, "Actions, resources, and condition keys for AWS Step Functions":
 * no resource type for either), so the statement must name "*"; the task token, which only
 * the waiting execution hands out, is what scopes the call.
 */
const taskResponseStatement = () => ({
  Effect: 'Allow',
  Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
  Resource: '*',
});

/** A waiting step (CreateSnapshots, RegisterImage, CopyImage) parks its token, and removes it when it resumed itself. */
const parkStatement = () => ({
  Effect: 'Allow',
  Action: ['s3:PutObject', 's3:DeleteObject'],
  Resource: resultsObjects('waits/'),
});

/** Both statements of a waiting step. */
const waitingStepStatements = () => [parkStatement(), taskResponseStatement()];

/**
 * The copy queue (`waits/<region>/copy-queue/`) is read by listing: s3:ListBucket on the results
 * bucket, only under `waits/` (Amazon S3 User Guide, "Bucket policy examples using condition
 * keys": the s3:prefix condition key limits ListBucket to a prefix).
 */
const queueListStatement = () => ({
  Effect: 'Allow',
  Action: ['s3:ListBucket'],
  Resource: { 'Fn::GetAtt': ['BackupResultsBucket', 'Arn'] },
  Condition: { StringLike: { 's3:prefix': ['waits/*'] } },
});

/** CopyImage: parks its token, or queues it (the queue's head decides). */
const copyStepStatements = () => [...waitingStepStatements(), queueListStatement()];

/**
 * ResumeWait: reads, parks and removes tokens, checks EC2, answers Step Functions; starting the
 * copy queue's head needs the copy step's own EC2/KMS statements (serverless/iam-backup.cjs), and
 * SendTaskHeartbeat, which like SendTaskSuccess has no resource type (Service Authorization
 * Reference), keeps the queued Tasks alive.
 */
function resumeWaitStatements() {
  return [
    { Effect: 'Allow', Action: ['ec2:DescribeSnapshots', 'ec2:DescribeImages'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: resultsObjects('waits/'),
    },
    queueListStatement(),
    taskResponseStatement(),
    { Effect: 'Allow', Action: ['states:SendTaskHeartbeat'], Resource: '*' },
  ];
}

module.exports = {
  AWAITED_EVENTS_PATTERN,
  DETAIL_TYPES,
  forwardedRegions,
  copyStepStatements,
  parkStatement,
  resumeWaitStatements,
  taskResponseStatement,
};
