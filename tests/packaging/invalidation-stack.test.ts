/**
 * The invalidation stack's ledger bucket, completion watch and their least-privilege IAM, in the
 * packaged template (`serverless package`, the artifact a deploy uploads).
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PolicyStatement, roleStatements } from '../../scripts/iam-report.ts';
import { type CloudFormationTemplate, packageServiceCached } from '../../scripts/package-service.ts';

let template: CloudFormationTemplate;

beforeAll(async () => {
  template = (await packageServiceCached('dev')).template;
});

const resource = (name: string) => {
  const found = template.Resources[name];
  if (!found) throw new Error(`no resource ${name} in the template`);
  return found as { Type: string; Properties: Record<string, unknown> };
};
const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const statementsOf = (role: string): PolicyStatement[] => roleStatements(resource(role) as never);
const withAction = (role: string, action: string) =>
  statementsOf(role).filter((s) => asList(s.Action).includes(action));

const SUBMITTING_FUNCTIONS = [
  'InvalidateS3Events',
  'InvalidateDeployEvent',
  'GithubWebhook',
  'CodepipelineInvalidate',
  'InvalidateDeferred',
];
const ledgerObjects = (prefix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': ['InvalidationLedgerBucket', 'Arn'] }, `/${prefix}*`]],
});
const DISTRIBUTION_ARN =
  /^arn:\$\{AWS::Partition\}:cloudfront::\$\{AWS::AccountId\}:distribution\/E[A-Z0-9]+$/;

describe('the invalidation ledger bucket', () => {
  it('is encrypted, private, owner-enforced and expires old months and markers', () => {
    const bucket = resource('InvalidationLedgerBucket');
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    // Not versioned: releasing a once-marker (DeleteObject) must free its key for If-None-Match.
    expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
    const rules = (
      bucket.Properties.LifecycleConfiguration as { Rules: { Prefix?: string; ExpirationInDays?: number }[] }
    ).Rules;
    expect(rules.find((r) => r.Prefix === 'invalidation-ledger/')?.ExpirationInDays).toBeGreaterThanOrEqual(
      366,
    );
    expect(rules.find((r) => r.Prefix === 'invalidation-events/')?.ExpirationInDays).toBeGreaterThanOrEqual(
      1,
    );
  });

  // S3 User Guide, "Enforce encryption in transit" / the aws:SecureTransport condition key
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html).
  it('denies every request not made over TLS', () => {
    const policy = resource('InvalidationLedgerBucketPolicy');
    expect(policy.Properties.Bucket).toEqual({ Ref: 'InvalidationLedgerBucket' });
    const [deny] = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it('is named to every invalidation function, so pacing is on when deployed', () => {
    for (const fn of SUBMITTING_FUNCTIONS) {
      const env = (
        resource(`${fn}LambdaFunction`).Properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect(env.SHIPYARD_LEDGER_BUCKET, fn).toEqual({ Ref: 'InvalidationLedgerBucket' });
      expect(env.SHIPYARD_FRESHNESS_QUEUE_URL, fn).toEqual({ Ref: 'InvalidationFreshnessQueue' });
    }
  });

  it('lets the submitting functions read and write the ledger months only, and list the distributions', () => {
    for (const fn of SUBMITTING_FUNCTIONS) {
      const role = `${fn}IamRoleLambdaExecution`;
      const ledger = statementsOf(role).filter((s) =>
        asList(s.Action).some((a) => a.startsWith('s3:') && a !== 's3:ListBucket'),
      );
      expect(ledger, role).toEqual([
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: ledgerObjects('invalidation-ledger/'),
        },
      ]);
      // Without s3:ListBucket on the bucket, S3 answers a month not yet written with 403
      // AccessDenied instead of 404 NoSuchKey (GetObject API reference, "Permissions":
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
      expect(
        withAction(role, 's3:ListBucket').map((s) => s.Resource),
        role,
      ).toContainEqual({ 'Fn::GetAtt': ['InvalidationLedgerBucket', 'Arn'] });
      const listing = withAction(role, 'cloudfront:ListInvalidations');
      expect(listing.length, role).toBe(1);
      for (const arn of asList(listing[0]?.Resource))
        expect((arn as { 'Fn::Sub': string })['Fn::Sub'], role).toMatch(DISTRIBUTION_ARN);
      expect(
        withAction(role, 'sqs:SendMessage').map((s) => s.Resource),
        role,
      ).toContainEqual({
        'Fn::GetAtt': ['InvalidationFreshnessQueue', 'Arn'],
      });
    }
  });
});

describe('the completion watch', () => {
  it('runs the freshness checker on its queue, with a dead-letter queue', () => {
    const queue = resource('InvalidationFreshnessQueue');
    const checker = resource('InvalidationFreshnessLambdaFunction');
    const timeout = checker.Properties.Timeout as number;
    // Lambda: set the source queue's visibility timeout to at least six times the function timeout
    // (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
    expect(queue.Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['InvalidationFreshnessDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    const mappings = Object.values(template.Resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(r.Properties?.EventSourceArn) ===
          JSON.stringify({ 'Fn::GetAtt': ['InvalidationFreshnessQueue', 'Arn'] }),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  // EventBridge, "Using IAM policy conditions in Amazon EventBridge": events:source restricts the
  // sources a principal may PutEvents with
  // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
  it('grants the checker exactly GetInvalidation, PutEvents (source shipyard, default bus), its markers and its queue', () => {
    const role = 'InvalidationFreshnessIamRoleLambdaExecution';
    const own = statementsOf(role).filter((s) => !asList(s.Action).some((a) => a.startsWith('logs:')));
    const byAction = Object.fromEntries(own.flatMap((s) => asList(s.Action).map((a) => [a, s])));
    expect(Object.keys(byAction).sort()).toEqual([
      'cloudfront:GetInvalidation',
      'events:PutEvents',
      's3:DeleteObject',
      's3:PutObject',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    for (const arn of asList(byAction['cloudfront:GetInvalidation']?.Resource))
      expect((arn as { 'Fn::Sub': string })['Fn::Sub']).toMatch(DISTRIBUTION_ARN);
    expect(byAction['events:PutEvents']).toMatchObject({
      Resource: {
        'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/default`,
      },
      Condition: { StringEquals: { 'events:source': 'shipyard' } },
    });
    expect(byAction['s3:PutObject']?.Resource).toEqual(ledgerObjects('invalidation-events/'));
    expect(byAction['s3:DeleteObject']?.Resource).toEqual(ledgerObjects('invalidation-events/'));
    for (const action of ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'])
      expect(asList(byAction[action]?.Resource), action).toEqual([
        { 'Fn::GetAtt': ['InvalidationFreshnessQueue', 'Arn'] },
      ]);
  });
});

describe('metadata reads (invalidation.immutableCacheControl: read)', () => {
  it('grants s3:GetObject (HeadObject) only under the keyPrefix of the sites that read, none otherwise', () => {
    // HeadObject is authorised by s3:GetObject (S3 API reference, HeadObject, "Permissions").
    const { metadataStatements } = createRequire(import.meta.url)(
      '../../serverless/iam-invalidation.cjs',
    ) as {
      metadataStatements: (sites: unknown[]) => PolicyStatement[];
    };
    const sites = [
      { bucket: 'web-bucket', keyPrefix: 'site/', invalidation: { immutableCacheControl: 'read' } },
      { bucket: 'docs-bucket', keyPrefix: '', invalidation: { immutableCacheControl: 'read' } },
      { bucket: 'blog-bucket', keyPrefix: 'blog/', invalidation: { immutableCacheControl: 'ignore' } },
    ];
    expect(metadataStatements(sites)).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [
          { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::docs-bucket/*` },
          { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::web-bucket/site/*` },
        ],
      },
    ]);
    expect(metadataStatements(sites.slice(2))).toEqual([]);
  });
});
