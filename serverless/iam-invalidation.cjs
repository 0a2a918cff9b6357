// IAM of the invalidation functions that depends on the stage config.
// - CloudFront invalidation actions only on the configured distributions (CloudFront ARNs are
//   global: no region). With no site configured, an ARN that matches nothing keeps the
//   statement valid without granting anything.
// - The webhook may read exactly the configured webhook secrets (SSM parameters or Secrets
//   Manager secrets). SecureStrings under the AWS-managed aws/ssm key need no KMS statement.
// - The functions that plan object changes (S3 events, deploy events, webhook) may list the site
//   buckets, only under each site's keyPrefix: the planner's inventory (ListObjectsV2 is
//   authorised by s3:ListBucket; the adapter always sends Prefix = keyPrefix exactly).
const { sites } = require('./invalidation-config.cjs');

const sub = (text) => ({ 'Fn::Sub': text });

const CLOUDFRONT_ACTIONS = [
  'cloudfront:CreateInvalidation',
  'cloudfront:GetInvalidation',
  'cloudfront:ListInvalidations',
];

async function distributionArns(context) {
  const ids = new Set();
  for (const site of await sites(context)) for (const id of site.distributionIds ?? []) ids.add(id);
  const list = ids.size > 0 ? [...ids].sort() : ['NO-DISTRIBUTION-CONFIGURED'];
  return list.map((id) => sub(`arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/${id}`));
}

async function cloudFrontStatement(context) {
  return { Effect: 'Allow', Action: CLOUDFRONT_ACTIONS, Resource: await distributionArns(context) };
}

const deferStatement = {
  Effect: 'Allow',
  Action: ['sqs:SendMessage'],
  Resource: { 'Fn::GetAtt': ['DeferredInvalidationsQueue', 'Arn'] },
};

/** Objects of the ledger bucket under one prefix (the adapters write nothing else). */
const ledgerObjects = (prefix) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': ['InvalidationLedgerBucket', 'Arn'] }, `/${prefix}*`]],
});

/** The monthly path ledger: read and conditionally rewritten (shared/aws/s3-ledger.ts). */
const ledgerStatement = {
  Effect: 'Allow',
  Action: ['s3:GetObject', 's3:PutObject'],
  Resource: ledgerObjects('invalidation-ledger/'),
};

/**
 * s3:ListBucket on the ledger bucket: without it S3 answers a read of a month not yet written
 * with 403 AccessDenied instead of 404 NoSuchKey (GetObject API reference, "Permissions"), and
 * the first deploy of every month would fail instead of starting an empty ledger.
 */
const ledgerListStatement = {
  Effect: 'Allow',
  Action: ['s3:ListBucket'],
  Resource: { 'Fn::GetAtt': ['InvalidationLedgerBucket', 'Arn'] },
};

/** Submissions start the completion watch; the checker sends the next check. */
const watchStatement = {
  Effect: 'Allow',
  Action: ['sqs:SendMessage'],
  Resource: { 'Fn::GetAtt': ['InvalidationFreshnessQueue', 'Arn'] },
};

/** Statements of every function that submits invalidations (and may defer batches). */
async function submitStatements(context) {
  return [
    await cloudFrontStatement(context),
    deferStatement,
    ledgerStatement,
    ledgerListStatement,
    watchStatement,
  ];
}

/**
 * The completion watch: GetInvalidation on the configured distributions, PutEvents on the default
 * bus for source shipyard only (EventBridge condition key events:source), the once-markers.
 */
async function freshnessStatements(context) {
  return [
    { Effect: 'Allow', Action: ['cloudfront:GetInvalidation'], Resource: await distributionArns(context) },
    {
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: sub(`arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/default`),
      Condition: { StringEquals: { 'events:source': 'shipyard' } },
    },
    {
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject'],
      Resource: ledgerObjects('invalidation-events/'),
    },
    watchStatement,
  ];
}

/**
 * s3:ListBucket per site bucket, conditioned on the exact key prefixes listed there. A site with
 * keyPrefix '' lists the whole bucket (no condition); sites with inventory 'never' never list.
 */
function listStatements(list) {
  const byBucket = new Map();
  for (const site of list) {
    if (!site.bucket || site.invalidation?.inventory === 'never') continue;
    const prefixes = byBucket.get(site.bucket) ?? new Set();
    prefixes.add(site.keyPrefix ?? '');
    byBucket.set(site.bucket, prefixes);
  }
  return [...byBucket.keys()].sort().map((bucket) => {
    const prefixes = [...byBucket.get(bucket)].sort();
    return {
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: sub(`arn:\${AWS::Partition}:s3:::${bucket}`),
      ...(prefixes.includes('') ? {} : { Condition: { StringEquals: { 's3:prefix': prefixes } } }),
    };
  });
}

/**
 * s3:GetObject (what HeadObject needs) under each keyPrefix of the sites that read added objects'
 * Cache-Control (`invalidation.immutableCacheControl: read`); none for the others.
 */
function metadataStatements(list) {
  const objects = new Set();
  for (const site of list)
    if (site.bucket && site.invalidation?.immutableCacheControl === 'read')
      objects.add(`${site.bucket}/${site.keyPrefix ?? ''}*`);
  if (objects.size === 0) return [];
  return [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [...objects].sort().map((o) => sub(`arn:\${AWS::Partition}:s3:::${o}`)),
    },
  ];
}

/** Functions that plan object changes: submission plus the inventory listing and metadata reads. */
async function s3EventsStatements(context) {
  const list = await sites(context);
  return [...(await submitStatements(context)), ...listStatements(list), ...metadataStatements(list)];
}

function secretResources(list) {
  const parameters = new Set();
  const secrets = new Set();
  for (const site of list) {
    const ref = site.repo?.webhookSecret;
    if (ref?.ssmParameter) parameters.add(ref.ssmParameter);
    if (ref?.secretsManagerSecret) secrets.add(ref.secretsManagerSecret);
  }
  const statements = [];
  if (parameters.size > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: [...parameters]
        .sort()
        .map((name) => sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`)),
    });
  }
  if (secrets.size > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      // A name gets the random 6-character suffix Secrets Manager appends; an ARN is used as is.
      Resource: [...secrets]
        .sort()
        .map((s) =>
          s.startsWith('arn:')
            ? s
            : sub(
                `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${s}-??????`,
              ),
        ),
    });
  }
  return statements;
}

/** Asynchronously invoked functions also send failed events to their onFailure queue. */
async function asyncSubmitStatements(context) {
  return [
    ...(await s3EventsStatements(context)),
    {
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: { 'Fn::GetAtt': ['InvalidationFailuresQueue', 'Arn'] },
    },
  ];
}

async function webhookStatements(context) {
  return [...(await s3EventsStatements(context)), ...secretResources(await sites(context))];
}

async function codePipelineStatements(context) {
  return [
    ...(await submitStatements(context)),
    // GetJobDetails (the job check) and PutJob*Result support no resource-level permissions.
    {
      Effect: 'Allow',
      Action: [
        'codepipeline:GetJobDetails',
        'codepipeline:PutJobSuccessResult',
        'codepipeline:PutJobFailureResult',
      ],
      Resource: '*',
    },
  ];
}

module.exports = {
  distributionArns,
  submitStatements,
  s3EventsStatements,
  listStatements,
  metadataStatements,
  asyncSubmitStatements,
  webhookStatements,
  codePipelineStatements,
  secretResources,
  freshnessStatements,
};
