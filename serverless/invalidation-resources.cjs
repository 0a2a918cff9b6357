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

/**
 * A month's ledger is read and rewritten on every paced deploy for a month, then only read (the
 * deploy summary's history); after LEDGER_EXPIRE_DAYS it is of no use to pacing or reports.
 */
const LEDGER_EXPIRE_DAYS = 400;
/** A once-marker only has to outlive its watch (an hour) and the queue's redeliveries (a day). */
const MARKER_EXPIRE_DAYS = 7;

/**
 * Private, encrypted (SSE-S3), owner-enforced. Not versioned: conditional writes (If-Match on the
 * ETag) already stop lost updates, reconciliation with ListInvalidations rebuilds what a lost
 * object held, and the once-markers rely on DeleteObject freeing the key.
 */
const ledgerBucket = () => ({
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
        {
          Id: 'ExpireLedgerMonths',
          Status: 'Enabled',
          Prefix: 'invalidation-ledger/',
          ExpirationInDays: LEDGER_EXPIRE_DAYS,
        },
        {
          Id: 'ExpireEventMarkers',
          Status: 'Enabled',
          Prefix: 'invalidation-events/',
          ExpirationInDays: MARKER_EXPIRE_DAYS,
        },
        { Id: 'AbortUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
      ],
    },
  },
});

/** TLS only: every request over plain HTTP is denied (aws:SecureTransport). */
const ledgerBucketPolicy = () => ({
  Type: 'AWS::S3::BucketPolicy',
  Properties: {
    Bucket: { Ref: 'InvalidationLedgerBucket' },
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'TlsOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [
            { 'Fn::GetAtt': ['InvalidationLedgerBucket', 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['InvalidationLedgerBucket', 'Arn'] }, '/*']] },
          ],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    },
  },
});

module.exports = { s3EventsQueuePolicy, ledgerBucket, ledgerBucketPolicy };
