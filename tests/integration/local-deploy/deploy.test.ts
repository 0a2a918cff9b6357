import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  DescribeStateMachineCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeployReport } from '@shipyard/local-cloud';
import { deployTemplate } from '@shipyard/local-cloud';
import {
  clientConfig,
  useLocalCloud,
  waitForAsyncInvocations,
  waitForExecution,
} from '@shipyard/local-cloud/testing';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sitesForLocalDeploy } from '../../../cli/local-sites.ts';
import { type PackagedService, packageServiceCached } from '../../../scripts/package-service.ts';

// The background poller is off: each test drives deliveries with the pump, deterministically.
const local = useLocalCloud({ pollIntervalMs: 0 });
const ACCOUNT = '123456789012';
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:shipyard-dev-${name}`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:shipyard-dev-${name}`;
const MACHINE_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:shipyard-dev-backup`;

const FUNCTIONS = [
  'invalidateS3Events',
  'invalidateDeployEvent',
  'githubWebhook',
  'codepipelineInvalidate',
  'invalidateDeferred',
  'invalidationFreshness',
  'backupDiscoverTargets',
  'backupCreateSnapshots',
  'backupRegisterImage',
  'backupCopyImage',
  'backupResumeWait',
  'backupShareImage',
  'backupRotate',
  'backupPlanTarget',
  'backupSummarize',
  'backupStart',
  'verifyStart',
  'verifyCheck',
  'verifyCleanup',
  'verifySweep',
  'drillStart',
  'drillTemplate',
  'drillDial',
  'drillRevert',
];

let pkg: PackagedService;
let report: DeployReport;
const deploy = () =>
  deployTemplate({
    template: pkg.template,
    packageDir: pkg.dir,
    endpoint: local().url,
    stage: 'dev',
    sites: sitesForLocalDeploy('dev'),
  });

beforeAll(async () => {
  pkg = await packageServiceCached('dev');
});

beforeEach(async () => {
  report = await deploy();
});

const seedDistribution = () =>
  local().control.seed({
    cloudfront: {
      distributions: [
        {
          id: 'E1SHIPYARDDEMO',
          origins: [{ id: 's3', domainName: 'shipyard-demo-site.s3.amazonaws.com', originPath: '/site' }],
        },
      ],
    },
  });

const invalidatedPaths = async (): Promise<string[]> => {
  const state = await local().control.state<{
    cloudfront: { distributions: { id: string; invalidations: { paths: { path: string }[] }[] }[] };
  }>();
  return state.cloudfront.distributions.flatMap((d) =>
    d.invalidations.flatMap((i) => i.paths.map((p) => p.path)),
  );
};

describe('the report', () => {
  it('lists every resource of the template once, with its status', () => {
    const resources = pkg.template.Resources;
    expect(report.resources.map((r) => r.logicalId).sort()).toEqual(Object.keys(resources).sort());
    for (const r of report.resources) expect(r.type).toBe(resources[r.logicalId]?.Type);
    expect(report.blocking).toEqual([]);
  });

  it('creates exactly the resource types the local cloud implements, with nothing failed or unsupported', () => {
    const types = (status: string) =>
      [...new Set(report.resources.filter((r) => r.status === status).map((r) => r.type))].sort();
    expect(types('created')).toEqual([
      'AWS::Events::Rule',
      'AWS::IAM::Role',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::Lambda::EventSourceMapping',
      'AWS::Lambda::Function',
      'AWS::Lambda::Url',
      'AWS::S3::Bucket',
      'AWS::SNS::Topic',
      'AWS::SQS::Queue',
      'AWS::SSM::Parameter',
      'AWS::Scheduler::Schedule',
      'AWS::StepFunctions::StateMachine',
    ]);
    expect(types('no-local-effect')).toEqual([
      'AWS::CloudWatch::Alarm',
      'AWS::Lambda::Permission',
      'AWS::Lambda::Version',
      'AWS::Logs::LogGroup',
      'AWS::S3::BucketPolicy',
      'AWS::SNS::TopicPolicy',
      'AWS::SQS::QueuePolicy',
    ]);
    expect(report.resources.filter((r) => r.status === 'unsupported' || r.status === 'failed')).toEqual([]);
    expect(report.resources.filter((r) => r.status === 'skipped')).toEqual([
      {
        logicalId: 'ShipyardAlertsEmailSubscription',
        type: 'AWS::SNS::Subscription',
        status: 'skipped',
        reason: 'condition ShipyardHasAlertEmail is false',
      },
    ]);
    for (const r of report.resources.filter((x) => x.status === 'no-local-effect'))
      expect(r.reason).toBeTruthy();
  });

  it('sends the site bucket notifications to the S3 events queue', () => {
    expect(report.sites).toEqual([
      {
        site: 'web',
        bucket: 'shipyard-demo-site',
        prefix: 'site/',
        queueArn: queueArn('s3-events'),
        status: 'created',
      },
    ]);
  });

  it('is the same, with no duplicates, when deployed again', async () => {
    const again = await deploy();
    expect(again).toEqual(report);
    const lambda = new LambdaClient(clientConfig(local().url));
    const { Functions = [] } = await lambda.send(new ListFunctionsCommand({}));
    expect(Functions).toHaveLength(FUNCTIONS.length);
    const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({}));
    expect(EventSourceMappings).toHaveLength(3);
    const state = await local().control.state<{
      events: { rules: { Targets: unknown[] }[] };
      sqs: { queues: unknown[] };
    }>();
    // The deploy-event and run-summary rules, ResumeWait's (the awaited EC2/EBS events) and the
    // stopped-drill rule: one target each.
    expect(state.events.rules.map((r) => r.Targets.length)).toEqual([1, 1, 1, 1]);
    expect(state.sqs.queues).toHaveLength(7); // with the freshness queue and its dead-letter queue
  });
});

describe('functions', () => {
  const lambda = () => new LambdaClient(clientConfig(local().url));

  it('registers every function with its resolved environment and settings', async () => {
    const { Functions = [] } = await lambda().send(new ListFunctionsCommand({}));
    expect(Functions.map((f) => f.FunctionName).sort()).toEqual(
      FUNCTIONS.map((f) => `shipyard-dev-${f}`).sort(),
    );
    const s3Events = await lambda().send(
      new GetFunctionConfigurationCommand({ FunctionName: 'shipyard-dev-invalidateS3Events' }),
    );
    expect(s3Events.Timeout).toBe(120);
    expect(s3Events.MemorySize).toBe(256);
    expect(s3Events.Environment?.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      SHIPYARD_STAGE: 'dev',
      SHIPYARD_CONFIG_FILE: 'config/shipyard.dev.yml',
      POWERTOOLS_SERVICE_NAME: 'shipyard',
      POWERTOOLS_METRICS_NAMESPACE: 'Shipyard',
      SHIPYARD_DEFERRED_QUEUE_URL: `${local().url}/${ACCOUNT}/shipyard-dev-deferred-invalidations`,
      SHIPYARD_FRESHNESS_QUEUE_URL: `${local().url}/${ACCOUNT}/shipyard-dev-invalidation-freshness`,
      SHIPYARD_LEDGER_BUCKET: expect.any(String),
    });
    const start = await lambda().send(
      new GetFunctionConfigurationCommand({ FunctionName: 'shipyard-dev-backupStart' }),
    );
    expect(start.Environment?.Variables?.BACKUP_STATE_MACHINE_ARN).toBe(MACHINE_ARN);
  });

  it('runs the packaged bundle: a bad input comes back as the named error', async () => {
    const out = await lambda().send(
      new InvokeCommand({
        FunctionName: 'shipyard-dev-backupSummarize',
        Payload: Buffer.from('{"bad":true}'),
      }),
    );
    expect(out.FunctionError).toBe('Unhandled');
    const payload = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8'));
    expect(payload.errorType).toBe('InvalidBackupInput');
  });

  it('answers 401 to an unsigned webhook on the Function URL', async () => {
    const url = report.resources.find((r) => r.type === 'AWS::Lambda::Url')?.physicalId ?? '';
    expect(url).toBe(`${local().url}/_functionurl/us-east-1/shipyard-dev-githubWebhook/`);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      body: JSON.stringify({ ref: 'refs/heads/main' }),
    });
    expect(res.status).toBe(401);
  });
});

describe('queues and event source mappings', () => {
  const sqs = () => new SQSClient(clientConfig(local().url));

  it('creates the queues with their redrive policies and timeouts', async () => {
    const { QueueUrl } = await sqs().send(new GetQueueUrlCommand({ QueueName: 'shipyard-dev-s3-events' }));
    const { Attributes } = await sqs().send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('720');
    expect(Attributes?.MessageRetentionPeriod).toBe('345600');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: queueArn('s3-events-dlq'),
      maxReceiveCount: 5,
    });
  });

  it('maps the queues to their functions as the template says', async () => {
    const lambda = new LambdaClient(clientConfig(local().url));
    const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({}));
    expect(
      EventSourceMappings.map((m) => [
        m.FunctionArn,
        m.EventSourceArn,
        m.BatchSize,
        m.MaximumBatchingWindowInSeconds,
        m.FunctionResponseTypes,
      ]).sort(),
    ).toEqual(
      [
        [fnArn('invalidateDeferred'), queueArn('deferred-invalidations'), 10, 0, ['ReportBatchItemFailures']],
        [fnArn('invalidateS3Events'), queueArn('s3-events'), 1000, 60, ['ReportBatchItemFailures']],
        [
          fnArn('invalidationFreshness'),
          queueArn('invalidation-freshness'),
          10,
          0,
          ['ReportBatchItemFailures'],
        ],
      ].sort(),
    );
  });

  it('delivers a queued message to the mapped function', async () => {
    const { QueueUrl } = await sqs().send(
      new GetQueueUrlCommand({ QueueName: 'shipyard-dev-deferred-invalidations' }),
    );
    const { MessageId } = await sqs().send(
      new SendMessageCommand({ QueueUrl, MessageBody: '{"not":"a deferral"}' }),
    );
    const { batches } = await local().control.pump();
    expect(batches).toMatchObject([
      { functionArn: fnArn('invalidateDeferred'), messageIds: [MessageId], failedMessageIds: [MessageId] },
    ]);
  });
});

describe('event routing', () => {
  it('routes a shipyard Deployment Completed event through the rule to an invalidation', async () => {
    await seedDistribution();
    const events = new EventBridgeClient(clientConfig(local().url));
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'shipyard',
            DetailType: 'Deployment Completed',
            Detail: JSON.stringify({
              site: 'web',
              deployId: 'abc123',
              changes: [{ path: 'docs/guide.html', status: 'M' }],
            }),
          },
        ],
      }),
    );
    // The rule invokes the function asynchronously: its invalidation is there once it ended.
    await waitForAsyncInvocations(local().control);
    expect(await invalidatedPaths()).toContain('/docs/guide.html');
  });

  it('turns an upload under the site prefix into an invalidation through S3, SQS and Lambda', async () => {
    await seedDistribution();
    // The site's content before the release (seeded: no object events). A paced deploy lists the
    // bucket, and over an empty site `/*` would invalidate nothing unchanged: the cheapest plan.
    await local().control.seed({
      s3: {
        buckets: [
          {
            name: 'shipyard-demo-site',
            objects: [
              { key: 'site/index.html', body: '<p>home</p>' },
              { key: 'site/blog/index.html', body: '<p>blog</p>' },
            ],
          },
        ],
      },
    });
    const s3 = new S3Client(clientConfig(local().url));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'shipyard-demo-site',
        Key: 'site/blog/new post.html',
        Body: '<p>new</p>',
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'shipyard-demo-site', Key: 'drafts/ignored.html', Body: 'x' }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'shipyard-demo-site', Key: 'site/old.html', Body: 'old' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'shipyard-demo-site', Key: 'site/old.html' }));
    // S3 sends its notifications at once (nothing for the key outside the prefix) …
    const first = await local().control.pump();
    expect(first.s3Notifications.map((n) => [n.target, n.ok])).toEqual([
      [queueArn('s3-events'), true],
      [queueArn('s3-events'), true],
      [queueArn('s3-events'), true],
    ]);
    // … and the S3 events mapping waits out its 60-second batching window.
    expect(first.batches).toEqual([]);
    await local().control.advance({ ms: 60_000 });
    const { batches } = await local().control.pump();
    expect(batches).toHaveLength(1);
    expect(batches[0]?.messageIds).toHaveLength(4); // the s3:TestEvent of the configuration, then the 3 events
    expect(batches[0]?.failedMessageIds).toEqual([]);
    expect(await invalidatedPaths()).toEqual(expect.arrayContaining(['/blog/new%20post.html', '/old.html']));
  });

  it('emits the execution status change that publishes the run summary to the alerts topic', async () => {
    const sfn = new SFNClient(clientConfig(local().url));
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE_ARN, name: 'rehearsal', input: '{}' }),
    );
    await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Rehearsal', cause: 'stopped by the test' }),
    );
    // The status change is sent when the execution ends; the rule's SNS target publishes it.
    await waitForExecution(sfn, executionArn ?? '');
    await waitForAsyncInvocations(local().control);
    const state = await local().control.state<{
      sns: { published: { message: string; topicArn: string }[] };
    }>();
    expect(state.sns.published.map((p) => p.message)).toContainEqual(
      expect.stringMatching(/^"Shipyard backup run rehearsal ended (ABORTED|FAILED)\. Summary:/),
    );
  });
});

describe('state machine and schedule', () => {
  it('creates the state machine with the ARNs of the local functions', async () => {
    const sfn = new SFNClient(clientConfig(local().url));
    const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: MACHINE_ARN }));
    const definition = machine.definition ?? '';
    expect(definition).not.toContain('${');
    // A Lambda Task's Resource, or a `.waitForTaskToken` Task's FunctionName.
    const resources = [...definition.matchAll(/"(?:Resource|FunctionName)":\s*"([^"]+)"/g)].map((m) => m[1]);
    const lambdaArns = resources.filter((r) => r?.startsWith('arn:aws:lambda:'));
    // Not in the definition: backupStart (the schedule's), backupResumeWait (EventBridge's), and
    // the Check* polls the event-driven waits replaced (still deployed, no longer called).
    const notTasks = ['backupStart', 'backupResumeWait'];
    expect(new Set(lambdaArns)).toEqual(
      new Set(FUNCTIONS.filter((f) => f.startsWith('backup') && !notTasks.includes(f)).map(fnArn)),
    );
  });

  it('creates the drill state machine over the four drill functions, and nothing schedules a drill', async () => {
    const sfn = new SFNClient(clientConfig(local().url));
    const machine = await sfn.send(
      new DescribeStateMachineCommand({
        stateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:shipyard-dev-drill`,
      }),
    );
    const definition = machine.definition ?? '';
    expect(definition).not.toContain('${');
    const resources = [...definition.matchAll(/"Resource":\s*"([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(resources)).toEqual(new Set(FUNCTIONS.filter((f) => f.startsWith('drill')).map(fnArn)));
    expect(machine.type).toBe('STANDARD');
    const scheduler = new SchedulerClient(clientConfig(local().url));
    const { Schedules = [] } = await scheduler.send(new ListSchedulesCommand({}));
    expect(Schedules.filter((sc) => /drill/.test(sc.Name ?? ''))).toEqual([]);
    // A stopped or timed-out drill execution starts a drill execution that restores its dials.
    const state = await local().control.state<{
      events: { rules: { EventPattern?: string; Targets: { Arn: string; InputPath?: string }[] }[] };
    }>();
    const stopped = state.events.rules.find(
      (r) =>
        (r.EventPattern ?? '').includes('TIMED_OUT') && (r.EventPattern ?? '').includes('shipyard-dev-drill'),
    );
    expect(stopped?.Targets).toEqual([
      expect.objectContaining({
        Arn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:shipyard-dev-drill`,
        InputPath: '$.detail',
      }),
    ]);
  });

  it('creates the nightly schedule with the policy cron and time zone, targeting backupStart', async () => {
    const scheduler = new SchedulerClient(clientConfig(local().url));
    const schedule = await scheduler.send(new GetScheduleCommand({ Name: 'shipyard-dev-backup-nightly' }));
    expect(schedule.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    expect(schedule.ScheduleExpressionTimezone).toBe('Asia/Kolkata');
    expect(schedule.Target?.Arn).toBe(fnArn('backupStart'));
    // The schedule names the policy only: backupStart loads the deployed one.
    expect(JSON.parse(schedule.Target?.Input ?? '{}')).toEqual({
      policy: 'nightly',
      scheduledTime: '<aws.scheduler.scheduled-time>',
    });
  });
});
