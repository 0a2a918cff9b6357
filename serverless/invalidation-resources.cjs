// Resources of the invalidation wiring that depend on the stage config: the S3 events queue's
// policy, which lets exactly the sites' buckets (in this account) send their notifications.
const { sites } = require('./invalidation-config.cjs');

async function s3EventsQueuePolicy(context) {
  const buckets = [
    ...new Set(
      (await sites(context))
        .filter((s) => s.s3Events !== false)
        .map((s) => s.bucket)
        .filter(Boolean),
    ),
  ].sort();
  // The deployment's partition (aws, aws-cn, aws-us-gov), never a hard-coded `arn:aws:`.
  const bucketArn = (bucket) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucket}` });
  const sourceArns = (buckets.length > 0 ? buckets : ['no-bucket-configured']).map(bucketArn);
  return {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: 'S3EventsQueue' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'SiteBucketNotifications',
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': ['S3EventsQueue', 'Arn'] },
            Condition: {
              ArnLike: { 'aws:SourceArn': sourceArns },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          },
        ],
      },
    },
  };
}

module.exports = { s3EventsQueuePolicy };
