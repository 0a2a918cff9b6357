import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import validator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  type PolicyStatement,
  renderIamTable,
  replaceIamTable,
  roleStatements,
} from '../../scripts/iam-report.ts';
import { type CloudFormationTemplate, packageServiceCached } from '../../scripts/package-service.ts';

const run = promisify(execFile);

let template: CloudFormationTemplate;
let templatePath: string;

beforeAll(async () => {
  const packaged = await packageServiceCached('dev');
  template = packaged.template;
  templatePath = packaged.templatePath;
});

const resourcesOfType = (type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Actions AWS does not allow to be scoped to a resource ARN (the service authorization
 * reference lists no resource type for them), with the reason the wildcard is acceptable.
 */
const WILDCARD_RESOURCE_ALLOWED: Record<string, string> = {
  // Service Authorization Reference, "Actions, resources, and condition keys for AWS Step
  // Functions": neither lists a resource type; the task token scopes the call.
  'states:SendTaskSuccess': 'supports no resource-level permissions (the token scopes it)',
  'states:SendTaskFailure': 'supports no resource-level permissions (the token scopes it)',
  'states:SendTaskHeartbeat': 'supports no resource-level permissions (the token scopes it)',
  'ec2:DescribeInstances': 'Describe* actions support no resource-level permissions',
  'ec2:DescribeVolumes': 'Describe* actions support no resource-level permissions',
  'ec2:DescribeSnapshots': 'Describe* actions support no resource-level permissions',
  'ec2:DescribeImages': 'Describe* actions support no resource-level permissions',
  'ec2:DescribeImageAttribute': 'read-only, supports no resource-level condition we could use',
  'ec2:DescribeSubnets': 'Describe* actions support no resource-level permissions',
  'ec2:DescribeRouteTables': 'Describe* actions support no resource-level permissions',
  'ec2:DescribeSecurityGroups': 'Describe* actions support no resource-level permissions',
  'ec2:DescribeInstanceStatus': 'Describe* actions support no resource-level permissions',
  'ec2:DescribeLaunchTemplateVersions': 'Describe* actions support no resource-level permissions',
  'elasticloadbalancing:DescribeTargetGroups':
    'ELBv2 Describe* actions support no resource-level permissions',
  'elasticloadbalancing:DescribeTargetHealth':
    'ELBv2 Describe* actions support no resource-level permissions',
  'ssm:DescribeInstanceInformation':
    'lists managed instances; the Service Authorization Reference names no resource type for it',
  'codepipeline:GetJobDetails':
    'job actions support no resource-level permissions [unconfirmed for GetJobDetails: same family as PutJob*Result]',
  'codepipeline:PutJobSuccessResult': 'job results support no resource-level permissions',
  'codepipeline:PutJobFailureResult': 'job results support no resource-level permissions',
  'cloudwatch:PutMetricData': 'metrics support no resource-level permissions (namespace condition applied)',
  'logs:CreateLogDelivery': 'Step Functions logging: vended-log delivery APIs support only *',
  'logs:GetLogDelivery': 'Step Functions logging: vended-log delivery APIs support only *',
  'logs:UpdateLogDelivery': 'Step Functions logging: vended-log delivery APIs support only *',
  'logs:DeleteLogDelivery': 'Step Functions logging: vended-log delivery APIs support only *',
  'logs:ListLogDeliveries': 'Step Functions logging: vended-log delivery APIs support only *',
  'logs:PutResourcePolicy': 'Step Functions logging: vended-log delivery APIs support only *',
  'logs:DescribeResourcePolicies': 'Step Functions logging: vended-log delivery APIs support only *',
  'logs:DescribeLogGroups': 'Step Functions logging: vended-log delivery APIs support only *',
};

/**
 * The one CreateTags outside a create call: a verification's result on an AMI Shipyard made
 * (the AMI exists before it is verified). Limited to managed AMIs and to exactly the two result
 * keys: "ForAllValues … returns true if every key value in the request matches at least one
 * value in the policy" on aws:TagKeys (IAM User Guide, condition operators; AWS global
 * condition context keys).
 */
const VERIFICATION_RESULT_KEYS = ['shipyard:verified', 'shipyard:verification-result'];
const isVerificationResult = (statement: PolicyStatement): boolean => {
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return (
    JSON.stringify(statement.Resource).endsWith(`ec2:*::image/*"}`) &&
    condition.StringEquals?.['aws:ResourceTag/shipyard:managed'] === 'true' &&
    JSON.stringify(condition['ForAllValues:StringEquals']?.['aws:TagKeys']) ===
      JSON.stringify(VERIFICATION_RESULT_KEYS)
  );
};

const allStatements = (): { role: string; statement: PolicyStatement }[] =>
  resourcesOfType('AWS::IAM::Role').flatMap(([role, resource]) =>
    roleStatements(resource).map((statement) => ({ role, statement })),
  );

describe('packaged CloudFormation template', () => {
  it('passes cfn-lint with zero errors', async () => {
    const result = await run('cfn-lint', ['--format', 'json', templatePath]).catch(
      (error: { stdout?: string; code?: number }) => {
        // cfn-lint exits non-zero for warnings too; only errors (level "Error") fail this test.
        return { stdout: error.stdout ?? '[]' };
      },
    );
    const findings = JSON.parse(result.stdout || '[]') as {
      Level: string;
      Rule: { Id: string };
      Message: string;
    }[];
    const errors = findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id}: ${f.Message}`);
    expect(errors).toEqual([]);
  });

  it('gives every function its own role and nothing uses a shared one', () => {
    const functions = resourcesOfType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(10);
    const roles = functions.map(([, fn]) => JSON.stringify(fn.Properties?.Role));
    expect(new Set(roles).size).toBe(functions.length);
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('grants no wildcard action and no service-wide action', () => {
    const offenders = allStatements()
      .flatMap(({ role, statement }) => asList(statement.Action).map((action) => ({ role, action })))
      .filter(({ action }) => typeof action !== 'string' || action === '*' || /:\*$/.test(action));
    expect(offenders).toEqual([]);
  });

  it('uses Resource "*" only for actions that AWS cannot scope, each listed with a reason', () => {
    const unexplained = allStatements()
      .filter(({ statement }) => asList(statement.Resource).includes('*'))
      .flatMap(({ role, statement }) =>
        asList(statement.Action)
          .filter((action) => !(action in WILDCARD_RESOURCE_ALLOWED))
          .map((action) => `${role}: ${action}`),
      );
    expect(unexplained).toEqual([]);
  });

  it('conditions EC2 delete, deregister and modify-attribute on the Shipyard managed tag', () => {
    const destructive = allStatements().filter(({ statement }) =>
      asList(statement.Action).some((a) => /^ec2:(Delete|Deregister|Modify)/.test(a)),
    );
    expect(destructive.length).toBeGreaterThan(0);
    for (const { role, statement } of destructive) {
      expect(statement.Effect, role).toBe('Allow');
      expect(JSON.stringify(statement.Condition ?? {}), role).toContain('aws:ResourceTag/shipyard:managed');
    }
  });

  it('requires the managed tag on create for EC2 create actions, and CreateTags only as part of a create', () => {
    const statements = allStatements();
    const creates = statements.filter(({ statement }) =>
      asList(statement.Action).some((a) =>
        /^ec2:(CreateSnapshots?|RegisterImage|CreateImage|CopyImage|CopySnapshot|CreateVolume)$/.test(a),
      ),
    );
    expect(creates.length).toBeGreaterThan(0);
    // Each create action must have at least one statement that scopes the created resource by request tag.
    const createActions = new Set(creates.flatMap(({ statement }) => asList(statement.Action)));
    for (const action of createActions) {
      const tagged = creates.some(
        ({ statement }) =>
          asList(statement.Action).includes(action) &&
          JSON.stringify(statement.Condition ?? {}).includes('aws:RequestTag/shipyard:managed'),
      );
      expect(tagged, action).toBe(true);
    }
    const createTags = statements.filter(({ statement }) =>
      asList(statement.Action).includes('ec2:CreateTags'),
    );
    for (const { role, statement } of createTags.filter(
      ({ statement }) => !isVerificationResult(statement),
    )) {
      expect(JSON.stringify(statement.Condition ?? {}), role).toContain('ec2:CreateAction');
    }
  });

  // EC2 User Guide, "Grant permissions to copy Amazon EC2 AMIs"
  // (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/copy-ami-permissions.html): "Starting
  // October 28, 2024, you can specify resource-level permissions for the CopyImage action on the
  // source AMI. Resource-level permissions for the target AMI are available as before." (Service
  // Authorization Reference, Amazon EC2, CopyImage.) The source AMI carries the managed tag, the
  // new one is only tagged by the request: two statements, two condition keys.
  it('grants CopyImage on the managed source AMI and on the request-tagged new AMI in separate statements', () => {
    const copy = allStatements().filter(
      ({ role, statement }) => /CopyImage/i.test(role) && asList(statement.Action).includes('ec2:CopyImage'),
    );
    const resources = (statement: PolicyStatement) => JSON.stringify(asList(statement.Resource));
    const source = copy.filter(({ statement }) =>
      JSON.stringify(statement.Condition ?? {}).includes('aws:ResourceTag/shipyard:managed'),
    );
    const target = copy.filter(({ statement }) =>
      JSON.stringify(statement.Condition ?? {}).includes('aws:RequestTag/shipyard:managed'),
    );
    expect(source).toHaveLength(1);
    expect(target).toHaveLength(1);
    expect(copy).toHaveLength(2);
    const [sourceStatement, targetStatement] = [source[0]?.statement, target[0]?.statement];
    // Neither condition key in the other's statement: a request tag never matches the source
    // AMI, a resource tag never the AMI being created.
    expect(JSON.stringify(sourceStatement?.Condition)).not.toContain('RequestTag');
    expect(JSON.stringify(targetStatement?.Condition)).not.toContain('ResourceTag');
    // The dev config copies from ap-south-1 to us-west-1 and eu-west-1, in the deployment's partition.
    expect(resources(sourceStatement as PolicyStatement)).toContain(
      `arn:\${AWS::Partition}:ec2:ap-south-1::image/*`,
    );
    expect(resources(sourceStatement as PolicyStatement)).not.toMatch(/us-west-1|eu-west-1/);
    for (const region of ['us-west-1', 'eu-west-1'])
      for (const type of ['image', 'snapshot'])
        expect(resources(targetStatement as PolicyStatement)).toContain(
          `arn:\${AWS::Partition}:ec2:${region}::${type}/*`,
        );
    expect(resources(targetStatement as PolicyStatement)).not.toContain('ap-south-1');
  });

  // ARN format (AWS General Reference, "Amazon Resource Names": arn:partition:service:…; the
  // partition is aws, aws-cn or aws-us-gov) and CloudFormation's AWS::Partition pseudo parameter:
  // a literal `arn:aws:` never matches a resource of a China or GovCloud stack.
  it('builds every ARN of the template in the deployment partition (AWS::Partition), none with a literal partition', () => {
    const literal = JSON.stringify(template).match(/arn:aws(?:-[a-z]+)*:[^"]*/g) ?? [];
    expect(literal).toEqual([]);
    const partitioned = allStatements().filter(({ statement }) =>
      JSON.stringify(statement.Resource ?? '').includes(`arn:\${AWS::Partition}:ec2:`),
    );
    expect(partitioned.length).toBeGreaterThan(5);
    // The guard's exemptions match the roles in any partition (ArnLike checks each component).
    const guard = readFileSync('docs/iam-guard.json', 'utf8');
    expect(guard).not.toMatch(/"arn:aws(?:-[a-z]+)*:/);
  });

  it('limits CloudFront actions to the configured distributions', () => {
    const config = parseYaml(readFileSync('config/shipyard.dev.yml', 'utf8')) as {
      sites: { distributionIds: string[] }[];
    };
    const ids = config.sites.flatMap((s) => s.distributionIds);
    const cloudfront = allStatements().filter(({ statement }) =>
      asList(statement.Action).some((a) => a.startsWith('cloudfront:')),
    );
    expect(cloudfront.length).toBeGreaterThan(0);
    for (const { role, statement } of cloudfront) {
      const resources = asList(statement.Resource).map((r) => JSON.stringify(r));
      expect(resources.length, role).toBeGreaterThan(0);
      for (const resource of resources) {
        expect(
          ids.some((id) => resource.includes(`:distribution/${id}`)),
          `${role}: ${resource}`,
        ).toBe(true);
      }
    }
  });

  it('lets only the planning functions list the site buckets, and only under each keyPrefix', () => {
    const config = parseYaml(readFileSync('config/shipyard.dev.yml', 'utf8')) as {
      sites: { bucket: string; keyPrefix?: string }[];
    };
    const allListing = allStatements().filter(({ statement }) =>
      asList(statement.Action).includes('s3:ListBucket'),
    );
    const onRunRecords = ({ statement }: { statement: { Resource?: unknown } }) =>
      JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': ['BackupRunsBucket', 'Arn'] });
    // Besides the site buckets, only the run records' bucket is listed, and only under runs/
    // (and, for rotation and the summary alone, verifications/: rotation keeps the newest
    // verified backup, the summary shows each target's restore-test status).
    // The verification functions list only the recorded launches (and verifyStart the run ids).
    const verifyListing = allListing.filter(
      (entry) => onRunRecords(entry) && entry.role.startsWith('Verify'),
    );
    for (const { role, statement } of verifyListing) {
      const prefixes = asList(
        (statement.Condition as { StringLike?: Record<string, string | string[]> })?.StringLike?.[
          's3:prefix'
        ],
      );
      expect(prefixes.length, role).toBeGreaterThan(0);
      for (const prefix of prefixes) expect(['runs/*', 'verification-launches/*'], role).toContain(prefix);
    }
    for (const { role, statement } of allListing.filter(
      (entry) => onRunRecords(entry) && !entry.role.startsWith('Verify'),
    )) {
      expect(role).toMatch(/^(Backup(Rotate|PlanTarget|DiscoverTargets|Summarize)|DrillStart)IamRole/);
      const verifications = { StringLike: { 's3:prefix': 'verifications/*' } };
      // drillStart's parity gate reads the verification results only.
      if (role.startsWith('DrillStart')) expect(statement.Condition, role).toEqual(verifications);
      if (
        (role.startsWith('BackupRotate') ||
          role.startsWith('BackupSummarize') ||
          role.startsWith('DrillStart')) &&
        JSON.stringify(statement.Condition) === JSON.stringify(verifications)
      )
        continue;
      expect(statement.Condition, role).toEqual({ StringLike: { 's3:prefix': 'runs/*' } });
    }
    // The invalidation ledger's bucket is listed by the functions that read the ledger, so a month
    // not yet written reads as 404, not 403 (tests/packaging/invalidation-stack.test.ts).
    const onLedger = ({ statement }: { statement: { Resource?: unknown } }) =>
      JSON.stringify(statement.Resource) ===
      JSON.stringify({ 'Fn::GetAtt': ['InvalidationLedgerBucket', 'Arn'] });
    for (const { role } of allListing.filter(onLedger))
      expect(role).toMatch(
        /^(InvalidateS3Events|InvalidateDeployEvent|GithubWebhook|CodepipelineInvalidate|InvalidateDeferred)IamRole/,
      );
    // The copy queue (waits/<region>/copy-queue/) is read by listing, only under waits/, by the
    // copy step that queues and the resume function that drains it (serverless/backup-events.cjs).
    const onWaits = ({ statement }: { statement: { Resource?: unknown; Condition?: unknown } }) =>
      JSON.stringify(statement.Resource) ===
        JSON.stringify({ 'Fn::GetAtt': ['BackupResultsBucket', 'Arn'] }) &&
      JSON.stringify(statement.Condition) === JSON.stringify({ StringLike: { 's3:prefix': ['waits/*'] } });
    for (const { role } of allListing.filter(onWaits))
      expect(role).toMatch(/^Backup(CopyImage|ResumeWait)IamRole/);
    const listing = allListing.filter(
      (entry) => !onRunRecords(entry) && !onLedger(entry) && !onWaits(entry),
    );
    expect(new Set(listing.map(({ role }) => role))).toEqual(
      new Set([
        'InvalidateS3EventsIamRoleLambdaExecution',
        'InvalidateDeployEventIamRoleLambdaExecution',
        'GithubWebhookIamRoleLambdaExecution',
      ]),
    );
    for (const { role, statement } of listing) {
      expect(asList(statement.Action), role).toEqual(['s3:ListBucket']);
      const resources = JSON.stringify(statement.Resource);
      const site = config.sites.find((s) => resources.includes(`:s3:::${s.bucket}"`));
      expect(site, `${role}: ${resources}`).toBeDefined();
      if (site?.keyPrefix) {
        expect(statement.Condition, role).toEqual({ StringEquals: { 's3:prefix': [site.keyPrefix] } });
      }
    }
  });

  // S3 User Guide, "Granting permissions to publish event notification messages to a destination"
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html)
  // and "Walkthrough: Configuring a bucket for notifications (SNS topic or SQS queue)": the queue
  // policy allows the s3.amazonaws.com principal sqs:SendMessage, conditioned on aws:SourceArn
  // (the bucket) and aws:SourceAccount (the bucket owner).
  it("lets only S3 send to the S3 events queue, only from the s3Events sites' buckets in this account and partition", () => {
    const config = parseYaml(readFileSync('config/shipyard.dev.yml', 'utf8')) as {
      sites: { bucket: string; s3Events?: boolean }[];
    };
    const buckets = [
      ...new Set(config.sites.filter((s) => s.s3Events !== false).map((s) => s.bucket)),
    ].sort();
    expect(buckets.length).toBeGreaterThan(0);
    const policies = resourcesOfType('AWS::SQS::QueuePolicy').filter(([, r]) =>
      JSON.stringify(r.Properties?.Queues).includes('"S3EventsQueue"'),
    );
    expect(policies.map(([name]) => name)).toEqual(['S3EventsQueuePolicy']);
    type QueueStatement = PolicyStatement & { Principal?: unknown };
    const document = policies[0]?.[1].Properties?.PolicyDocument as
      | { Statement: QueueStatement | QueueStatement[] }
      | undefined;
    const statements = asList(document?.Statement);
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(statement?.Effect).toBe('Allow');
    expect(statement?.Principal).toEqual({ Service: 's3.amazonaws.com' });
    expect(asList(statement?.Action)).toEqual(['sqs:SendMessage']);
    expect(statement?.Resource).toEqual({ 'Fn::GetAtt': ['S3EventsQueue', 'Arn'] });
    expect(statement?.Condition).toEqual({
      ArnLike: {
        'aws:SourceArn': buckets.map((b) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${b}` })),
      },
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
  });

  it('limits KMS actions to configured keys', () => {
    const kms = allStatements().filter(({ statement }) =>
      asList(statement.Action).some((a) => a.startsWith('kms:')),
    );
    for (const { role, statement } of kms) {
      const resources = asList(statement.Resource);
      expect(resources, role).not.toContain('*');
      const scoped =
        JSON.stringify(resources).includes(':key/') && !JSON.stringify(resources).endsWith(':key/*"]');
      const aliasConditioned = JSON.stringify(statement.Condition ?? {}).includes('kms:ResourceAliases');
      expect(scoped || aliasConditioned, role).toBe(true);
    }
  });

  it('wires alarms and the run-summary rule to the alerts topic', () => {
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm');
    const names = alarms.map(([id]) => id);
    expect(names).toEqual(
      expect.arrayContaining([
        'BackupExecutionsFailedAlarm',
        'InvalidationFailuresAlarm',
        'S3EventsDeadLetterQueueAlarm',
        'DeferredInvalidationsDeadLetterQueueAlarm',
      ]),
    );
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties?.AlarmActions, id).toEqual([{ Ref: 'ShipyardAlertsTopic' }]);
    }
    const rule = template.Resources.BackupRunFinishedRule;
    expect(JSON.stringify(rule?.Properties?.Targets)).toContain('ShipyardAlertsTopic');
  });

  it('alarms on InvalidationFailures exactly as the invalidation functions emit it (namespace, service dimension)', () => {
    const alarm = template.Resources.InvalidationFailuresAlarm?.Properties ?? {};
    const invalidationFunctions = resourcesOfType('AWS::Lambda::Function').filter(([id]) =>
      /^(Invalidate|GithubWebhook|CodepipelineInvalidate)/.test(id),
    );
    expect(invalidationFunctions.length).toBeGreaterThanOrEqual(5);
    for (const [id, fn] of invalidationFunctions) {
      const env =
        (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      expect({ Namespace: alarm.Namespace, Dimensions: alarm.Dimensions }, id).toEqual({
        Namespace: env.POWERTOOLS_METRICS_NAMESPACE,
        Dimensions: [{ Name: 'service', Value: env.POWERTOOLS_SERVICE_NAME }],
      });
    }
    expect(alarm).toMatchObject({ MetricName: 'InvalidationFailures', Statistic: 'Sum', Threshold: 1 });
  });

  it('schedules each backup policy with its cron and time zone', () => {
    const config = parseYaml(readFileSync('config/shipyard.dev.yml', 'utf8')) as {
      backupPolicies: { name: string; schedule: { cron: string; timeZone: string } }[];
    };
    // The backup schedules (verification's are checked in tests/packaging/verify-template.test.ts).
    const schedules = resourcesOfType('AWS::Scheduler::Schedule')
      .filter(([id]) => id.startsWith('BackupSchedule'))
      .map(([, s]) => s.Properties ?? {});
    expect(schedules).toHaveLength(config.backupPolicies.length);
    for (const policy of config.backupPolicies) {
      expect(schedules).toContainEqual(
        expect.objectContaining({
          ScheduleExpression: policy.schedule.cron,
          ScheduleExpressionTimezone: policy.schedule.timeZone,
        }),
      );
    }
  });

  it('deploys the backup state machine definition that passes asl-validator with path and ARN checks', () => {
    const definition = parseYaml(readFileSync('statemachines/backup.asl.yaml', 'utf8'));
    // Placeholders `${fnKey}` become Fn::GetAtt in the template; validate with concrete ARNs.
    const concrete = JSON.parse(
      JSON.stringify(definition).replace(
        /"\$\{([A-Za-z0-9]+)\}"/g,
        (_m, key: string) => `"arn:aws:lambda:us-east-1:123456789012:function:shipyard-dev-${key}"`,
      ),
    );
    const { isValid, errorsText } = validator(structuredClone(concrete), {
      checkPaths: true,
      checkArn: true,
    });
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
    // The backup workflow, the restore verification (tests/packaging/verify-template.test.ts)
    // and the failover drill (tests/packaging/drill-template.test.ts).
    expect(resourcesOfType('AWS::StepFunctions::StateMachine')).toHaveLength(3);
  });

  describe('the guard on shipyard:* tags (docs/iam-guard.json, README "Security: who may write Shipyard\'s tags")', () => {
    interface GuardStatement {
      Effect: string;
      Action: string[];
      Resource: string;
      Condition: Record<string, Record<string, string | string[]>>;
    }
    const guard = JSON.parse(readFileSync('docs/iam-guard.json', 'utf8')) as { Statement: GuardStatement[] };
    const exempt = (statement: GuardStatement): string[] =>
      asList(statement.Condition.ArnNotLike?.['aws:PrincipalArn']);
    /**
     * ArnLike: "each of the six colon-delimited components of the ARN is checked separately
     * and each can include multi-character match wildcards (*) or single-character match
     * wildcards (?)" (IAM User Guide, IAM JSON policy elements: Condition operators, ARN
     * condition operators).
     */
    const arnLike = (pattern: string, arn: string): boolean => {
      const split = (value: string) => {
        const parts = value.split(':');
        return [...parts.slice(0, 5), parts.slice(5).join(':')];
      };
      const glob = (p: string) =>
        new RegExp(
          `^${p
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
        );
      const want = split(pattern);
      return split(arn).every((part, i) => glob(want[i] ?? '').test(part));
    };
    /** The ARN a role of the template gets once deployed (account and region as in a real stack). */
    const roleArn = (resource: { Properties?: Record<string, unknown> }): string => {
      const name = resource.Properties?.RoleName as { 'Fn::Join': [string, unknown[]] } | string | undefined;
      const joined =
        typeof name === 'string'
          ? name
          : (name?.['Fn::Join'][1] ?? [])
              .map((p) =>
                typeof p === 'string'
                  ? p
                  : JSON.stringify(p) === '{"Ref":"AWS::Region"}'
                    ? 'eu-central-1'
                    : '?',
              )
              .join(name?.['Fn::Join'][0] ?? '');
      const path = (resource.Properties?.Path as string | undefined) ?? '/';
      return `arn:aws:iam::123456789012:role${path}${joined}`;
    };
    const writers = () =>
      new Set(
        allStatements()
          .filter(
            ({ statement }) =>
              statement.Effect === 'Allow' &&
              asList(statement.Action).some((a) => a === 'ec2:CreateTags' || a === 'ec2:DeleteTags'),
          )
          .map(({ role }) => role),
      );

    it('denies CreateTags / DeleteTags of any shipyard:* key to every principal but the exempt roles', () => {
      // "ForAnyValue … returns true if at least one of the context key values matches"; aws:TagKeys
      // holds the tag keys of the request (IAM User Guide, AWS global condition context keys).
      const [tagKeys, strip] = guard.Statement;
      expect(tagKeys).toMatchObject({
        Effect: 'Deny',
        Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
        Resource: '*',
      });
      expect(tagKeys?.Condition['ForAnyValue:StringLike']).toEqual({ 'aws:TagKeys': ['shipyard:*'] });
      // DeleteTags without keys deletes all user-defined tags (EC2 API Reference, DeleteTags):
      // aws:TagKeys is then empty, so a second statement guards our resources by their tag.
      expect(strip).toMatchObject({ Effect: 'Deny', Action: ['ec2:DeleteTags'], Resource: '*' });
      expect(strip?.Condition.StringEquals).toEqual({ 'aws:ResourceTag/shipyard:managed': 'true' });
      expect(exempt(strip as GuardStatement)).toEqual(exempt(tagKeys as GuardStatement));
    });

    it("exempts exactly the packaged roles that may write Shipyard's tags, and only Shipyard roles may", () => {
      const roles = resourcesOfType('AWS::IAM::Role');
      const tagWriters = writers();
      expect([...tagWriters].sort()).toEqual([
        'BackupCopyImageIamRoleLambdaExecution',
        'BackupCreateSnapshotsIamRoleLambdaExecution',
        'BackupRegisterImageIamRoleLambdaExecution',
        'BackupResumeWaitIamRoleLambdaExecution',
        'VerifyCheckIamRoleLambdaExecution',
      ]);
      for (const [id, role] of roles) {
        const arn = roleArn(role);
        for (const statement of guard.Statement) {
          expect(
            exempt(statement).some((pattern) => arnLike(pattern, arn)),
            `${id} (${arn})`,
          ).toBe(tagWriters.has(id));
        }
      }
    });

    it('grants CreateTags only as part of a create call the same role may make, and DeleteTags to no role', () => {
      const grants = allStatements().filter(({ statement }) =>
        asList(statement.Action).includes('ec2:CreateTags'),
      );
      expect(grants.length).toBeGreaterThan(0);
      for (const { role, statement } of grants.filter(({ statement }) => !isVerificationResult(statement))) {
        expect(asList(statement.Action), role).toEqual(['ec2:CreateTags']);
        const creates = asList(
          (statement.Condition as { StringEquals?: Record<string, string | string[]> } | undefined)
            ?.StringEquals?.['ec2:CreateAction'],
        );
        expect(creates.length, role).toBeGreaterThan(0);
        const allowed = new Set(
          allStatements()
            .filter((s) => s.role === role && s.statement.Effect === 'Allow')
            .flatMap((s) => asList(s.statement.Action)),
        );
        for (const create of creates) expect(allowed.has(`ec2:${create}`), `${role}: ${create}`).toBe(true);
      }
      const deleteTags = allStatements().filter(({ statement }) =>
        asList(statement.Action).includes('ec2:DeleteTags'),
      );
      expect(deleteTags).toEqual([]);
    });
  });

  it('has the IAM table in the README generated from this template (npm run docs:iam)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(replaceIamTable(readme, renderIamTable(template))).toBe(readme);
  });
});
