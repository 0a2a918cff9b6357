/**
 * Hostile input to every invalidation entry point (S3 notifications via SQS, EventBridge
 * deploy events, GitHub webhooks, CodePipeline jobs, the deferred queue): each is refused
 * with a named error whose message names the field and what was expected, and the local
 * cloud's counters show that nothing was invalidated, sent or reported.
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler as makePipeline } from '../../functions/codepipeline-invalidate/handler.ts';
import {
  MAX_WEBHOOK_BODY_BYTES,
  makeHandler as makeWebhook,
} from '../../functions/github-webhook/handler.ts';
import { makeHandler as makeDeferred } from '../../functions/invalidate-deferred/handler.ts';
import { makeHandler as makeDeployEvent } from '../../functions/invalidate-deploy-event/handler.ts';
import { makeHandler as makeS3Events } from '../../functions/invalidate-s3-events/handler.ts';
import { createPipelineAdapter } from '../../shared/aws/codepipeline.ts';
import { createSecretsAdapter } from '../../shared/aws/secrets.ts';
import { parseDeferredMessage } from '../../shared/invalidation-service/deferral.ts';
import { githubSignature } from '../../shared/invalidation-service/github-signature.ts';
import { RecentIds } from '../../shared/invalidation-service/recent.ts';
import { normalizeS3Batch } from '../../shared/invalidation-service/s3-events.ts';
import { makeDeps, seedDistributions, sites } from '../integration/invalidation/harness.ts';
import { type HostileCase, mutatingCalls, newCalls, type Observed, thrown } from './side-effects.ts';

const local = useLocalCloud();
const SECRET = 'hostile-test-secret';
const JOB = 'b7c1c4de-1111-2222-3333-444455556666';

const handlers = async () => {
  await seedDistributions(local());
  await local().control.seed({
    ssm: { parameters: [{ name: '/shipyard/github-webhook', value: SECRET, type: 'SecureString' }] },
    codepipeline: { jobs: [{ id: JOB, pipelineName: 'site', actionName: 'Invalidate' }] },
  });
  const deps = await makeDeps(local());
  return {
    s3: makeS3Events(deps),
    deploy: makeDeployEvent(deps),
    deferred: makeDeferred(deps),
    webhook: makeWebhook({
      ...deps,
      secrets: createSecretsAdapter({
        ssmClient: new SSMClient({ ...clientConfig(local().url), maxAttempts: 1 }),
      }),
      recentRequests: new RecentIds(),
    }),
    pipeline: makePipeline({
      ...deps,
      pipeline: createPipelineAdapter({
        client: new CodePipelineClient({ ...clientConfig(local().url), maxAttempts: 1 }),
      }),
    }),
  };
};
type Handlers = Awaited<ReturnType<typeof handlers>>;

// ---------------------------------------------------------------- S3 notifications via SQS

/** A record the handler must refuse (batch item failure) and the error the normaliser gives for it. */
const s3Record = (h: Handlers, body: string): Promise<Observed> =>
  (async () => {
    const records = [
      {
        messageId: 'hostile',
        receiptHandle: 'rh',
        body,
        attributes: {},
        messageAttributes: {},
        eventSource: 'aws:sqs',
      },
    ];
    const response = await h.s3({ Records: records });
    if (!response.batchItemFailures.some((f) => f.itemIdentifier === 'hostile'))
      return { name: 'accepted', message: '' };
    const [malformed] = normalizeS3Batch(records, sites()).malformed;
    return malformed
      ? { name: malformed.error.name, message: malformed.error.message }
      : { name: 'failed to submit', message: '' };
  })();

const s3Body = (key: string, more: Record<string, unknown> = {}) =>
  JSON.stringify({
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'docs-bucket' }, object: { key } },
        ...more,
      },
    ],
  });

const s3Cases = (h: () => Handlers): HostileCase[] => [
  {
    name: 'SQS event without Records',
    act: () => thrown(() => h().s3({})),
    error: 'MalformedEventError',
    message: /Records: .*expected array/,
  },
  {
    name: 'SQS Records not an array',
    act: () => thrown(() => h().s3({ Records: 'x' })),
    error: 'MalformedEventError',
    message: /Records: .*expected array/,
  },
  {
    name: 'SQS record without messageId',
    act: () => thrown(() => h().s3({ Records: [{ body: '{}' }] })),
    error: 'MalformedEventError',
    message: /Records\[0\]\.messageId/,
  },
  {
    name: 'SQS record body not a string',
    act: () => thrown(() => h().s3({ Records: [{ messageId: 'm', body: 42 }] })),
    error: 'MalformedEventError',
    message: /Records\[0\]\.body: .*expected string/,
  },
  {
    name: 'S3 body not JSON',
    act: () => s3Record(h(), '<xml/>'),
    error: 'MalformedEventError',
    message: /body: not JSON/,
  },
  {
    name: 'S3 Records of the wrong type',
    act: () => s3Record(h(), '{"Records":"nope"}'),
    error: 'MalformedEventError',
    message: /body\.Records: .*expected array/,
  },
  {
    name: 'S3 event from another source',
    act: () => s3Record(h(), s3Body('guide/a.html', { eventSource: 'aws:dynamodb' })),
    error: 'MalformedEventError',
    message: /body\.Records\[0\]\.eventSource/,
  },
  {
    name: 'S3 key with a stray %',
    act: () => s3Record(h(), s3Body('guide/100%.html')),
    error: 'MalformedEventError',
    message: /s3\.object\.key: .*expected URL-encoded/,
  },
  {
    name: 'S3 key with a truncated %E2 escape',
    act: () => s3Record(h(), s3Body('guide/%E2%9C.html')),
    error: 'MalformedEventError',
    message: /s3\.object\.key/,
  },
  {
    name: 'S3 key empty',
    act: () => s3Record(h(), s3Body('')),
    error: 'MalformedEventError',
    message: /s3\.object\.key: .*>=1/,
  },
  {
    name: 'S3 bucket missing',
    act: () =>
      s3Record(
        h(),
        JSON.stringify({
          Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { object: { key: 'a' } } }],
        }),
      ),
    error: 'MalformedEventError',
    message: /s3\.bucket/,
  },
  {
    name: 'SNS envelope around a non-JSON message',
    act: () => s3Record(h(), JSON.stringify({ Type: 'Notification', Message: 'not json' })),
    error: 'MalformedEventError',
    message: /body: not JSON/,
  },
];

// ---------------------------------------------------------------- EventBridge deploy events

const deployEvent = (detail: unknown, more: Record<string, unknown> = {}) => ({
  source: 'shipyard',
  'detail-type': 'Deployment Completed',
  detail,
  ...more,
});
const deploy = (h: () => Handlers, event: unknown) => () => thrown(() => h().deploy(event));
const paths = (p: string) => ({ site: 'docs', deployId: 'rel-1', paths: [p] });

const eventBridgeCases = (h: () => Handlers): HostileCase[] => [
  {
    name: 'deploy event from another source',
    act: deploy(h, deployEvent(paths('/a'), { source: 'aws.s3' })),
    error: 'MalformedEventError',
    message: /source: .*"shipyard"/,
  },
  {
    name: 'deploy event of another detail-type',
    act: deploy(h, deployEvent(paths('/a'), { 'detail-type': 'Object Created' })),
    error: 'MalformedEventError',
    message: /detail-type: .*"Deployment Completed"/,
  },
  {
    name: 'deploy event without detail',
    act: deploy(h, { source: 'shipyard', 'detail-type': 'Deployment Completed' }),
    error: 'MalformedEventError',
    message: /detail: .*expected object/,
  },
  {
    name: 'deploy event null',
    act: deploy(h, null),
    error: 'MalformedEventError',
    message: /\(event\): .*expected object/,
  },
  {
    name: 'deploy event a string',
    act: deploy(h, 'deploy!'),
    error: 'MalformedEventError',
    message: /\(event\): .*expected object/,
  },
  {
    name: 'empty deployId',
    act: deploy(h, deployEvent({ site: 'docs', deployId: '' })),
    error: 'MalformedEventError',
    message: /detail\.deployId: .*>=1/,
  },
  {
    name: 'oversized deployId',
    act: deploy(h, deployEvent({ site: 'docs', deployId: 'x'.repeat(257) })),
    error: 'MalformedEventError',
    message: /detail\.deployId: .*<=256/,
  },
  {
    name: 'deployId of the wrong type',
    act: deploy(h, deployEvent({ site: 'docs', deployId: 42 })),
    error: 'MalformedEventError',
    message: /detail\.deployId: .*expected string/,
  },
  {
    name: 'unknown change status',
    act: deploy(h, deployEvent({ site: 'docs', deployId: 'r', changes: [{ path: 'a', status: 'R' }] })),
    error: 'MalformedEventError',
    message: /detail\.changes\[0\]\.status: .*"A"\|"M"\|"D"/,
  },
  {
    name: 'unknown key in detail (typo)',
    act: deploy(h, deployEvent({ site: 'docs', deployId: 'r', path: ['/a'] })),
    error: 'MalformedEventError',
    message: /detail: Unrecognized key.*path/,
  },
  {
    name: 'unknown site',
    act: deploy(h, deployEvent(paths('/a'), { detail: { ...paths('/a'), site: 'nope' } })),
    error: 'UnknownSiteError',
    message: /unknown site "nope": the config declares "web", "docs"/,
  },
  {
    name: "path with a '..' segment",
    act: deploy(h, deployEvent(paths('/guide/../admin.html'))),
    error: 'MalformedEventError',
    message: /detail\.paths\[0\]: .*no '\.\.' path segment/,
  },
  {
    name: 'path with a control character',
    act: deploy(h, deployEvent(paths('/a\u0007b.html'))),
    error: 'MalformedEventError',
    message: /detail\.paths\[0\]: .*no control characters \(found U\+0007\)/,
  },
  {
    name: 'path with a newline (header injection)',
    act: deploy(h, deployEvent(paths('/a.html\r\nX-Evil: 1'))),
    error: 'MalformedEventError',
    message: /detail\.paths\[0\]: .*no control characters/,
  },
  {
    name: 'path not starting with /',
    act: deploy(h, deployEvent(paths('guide/a.html'))),
    error: 'MalformedEventError',
    message: /detail\.paths\[0\]: .*starting with '\/'/,
  },
  {
    // A mid-path '*' is now a literal (AWS-FACTS 2026-12); '~' is refused (CloudFront Developer
    // Guide, "What you need to know when invalidating files").
    name: "'~' in a path",
    act: deploy(h, deployEvent(paths('/guide/~old/a.html'))),
    error: 'MalformedEventError',
    message: /detail\.paths\[0\]: .*no '~'/,
  },
  {
    name: 'path with a lone surrogate',
    act: deploy(h, deployEvent(paths('/caf\uD800.html'))),
    error: 'MalformedEventError',
    message: /detail\.paths\[0\]: .*well-formed Unicode/,
  },
  {
    name: 'path with a stray %',
    act: deploy(h, deployEvent(paths('/100%.html'))),
    error: 'MalformedEventError',
    message: /detail\.paths\[0\]/,
  },
];

// ---------------------------------------------------------------- GitHub webhook

const push = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    ref: 'refs/heads/main',
    before: 'a'.repeat(40),
    after: 'b'.repeat(40),
    repository: { full_name: 'acme/web' },
    commits: [],
    ...over,
  });

const webhook =
  (
    h: () => Handlers,
    body: string,
    opts: { signature?: string | null; method?: string; contentType?: string } = {},
  ) =>
  async (): Promise<Observed> => {
    const response = await h().webhook({
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `d-${Math.random()}`,
        ...(opts.signature === null
          ? {}
          : { 'x-hub-signature-256': opts.signature ?? githubSignature(body, SECRET) }),
      },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: opts.method ?? 'POST' } },
    });
    return {
      name: `HTTP ${response.statusCode}`,
      message: (JSON.parse(response.body) as { message?: string }).message ?? '',
    };
  };

const githubCases = (h: () => Handlers): HostileCase[] => [
  {
    name: 'webhook without a signature',
    act: webhook(h, push(), { signature: null }),
    error: 'HTTP 401',
    message: /invalid signature/,
  },
  {
    name: 'webhook signed with another secret',
    act: webhook(h, push(), { signature: githubSignature(push(), 'guess') }),
    error: 'HTTP 401',
    message: /invalid signature/,
  },
  {
    name: 'webhook signature not hex',
    act: webhook(h, push(), { signature: `sha256=${'z'.repeat(64)}` }),
    error: 'HTTP 401',
    message: /invalid signature/,
  },
  {
    name: 'webhook with a SHA-1 signature',
    act: webhook(h, push(), { signature: 'sha1=0123456789abcdef0123456789abcdef01234567' }),
    error: 'HTTP 401',
    message: /invalid signature/,
  },
  {
    name: 'webhook signature of a different body',
    act: webhook(h, push(), { signature: githubSignature(push({ after: 'c'.repeat(40) }), SECRET) }),
    error: 'HTTP 401',
    message: /invalid signature/,
  },
  {
    name: 'oversized webhook body',
    act: webhook(h, 'x'.repeat(MAX_WEBHOOK_BODY_BYTES + 1)),
    error: 'HTTP 413',
    message: new RegExp(`body over ${MAX_WEBHOOK_BODY_BYTES} bytes`),
  },
  {
    name: 'signed webhook body not JSON',
    act: webhook(h, 'ref=main'),
    error: 'HTTP 400',
    message: /malformed github event: body: not JSON/,
  },
  {
    name: 'form-encoded webhook without payload',
    act: webhook(h, 'other=1', { contentType: 'application/x-www-form-urlencoded' }),
    error: 'HTTP 400',
    message: /body: not JSON/,
  },
  {
    name: 'push with ref of the wrong type',
    act: webhook(h, push({ ref: 42 })),
    error: 'HTTP 400',
    message: /body\.ref: .*expected string/,
  },
  {
    name: 'push without repository',
    act: webhook(h, push({ repository: undefined })),
    error: 'HTTP 400',
    message: /body\.repository: .*expected object/,
  },
  {
    name: 'push commits not an array',
    act: webhook(h, push({ commits: 'all' })),
    error: 'HTTP 400',
    message: /body\.commits: .*expected array/,
  },
  {
    name: 'webhook with GET',
    act: webhook(h, push(), { method: 'GET' }),
    error: 'HTTP 405',
    message: /use POST/,
  },
  {
    name: 'not a Function URL request',
    act: async () => {
      const r = await h().webhook({ headers: 'x' });
      return { name: `HTTP ${r.statusCode}`, message: (JSON.parse(r.body) as { message: string }).message };
    },
    error: 'HTTP 400',
    message: /not a Function URL request/,
  },
];

// ---------------------------------------------------------------- CodePipeline and the deferred queue

const job = (UserParameters: unknown, id: unknown = JOB) => ({
  'CodePipeline.job': { id, data: { actionConfiguration: { configuration: { UserParameters } } } },
});

/** A job with an id must be answered: the failure result names the field. */
const failedJob = (h: () => Handlers, event: unknown) => async (): Promise<Observed> => {
  await h().pipeline(event);
  const state = await local().control.state<{
    codepipeline: { jobs: { id: string; result?: { kind: string; failureDetails?: { message: string } } }[] };
  }>();
  const result = state.codepipeline.jobs.find((j) => j.id === JOB)?.result;
  const [name = 'no result', ...rest] = (result?.failureDetails?.message ?? '').split(': ');
  return { name: result?.kind === 'failure' ? name : `result ${result?.kind}`, message: rest.join(': ') };
};
const FAILURE_REPORTED = { 'codepipeline:PutJobFailureResult': 1 };
const UP = 'CodePipeline\\.job\\.data\\.actionConfiguration\\.configuration\\.UserParameters';

const pipelineCases = (h: () => Handlers): HostileCase[] => [
  {
    name: 'CodePipeline event without a job id',
    act: () => thrown(() => h().pipeline({ 'CodePipeline.job': {} })),
    error: 'MalformedEventError',
    message: /CodePipeline\.job\.id: expected the job id/,
  },
  {
    name: 'CodePipeline job id of the wrong type',
    act: () => thrown(() => h().pipeline(job('docs', 7))),
    error: 'MalformedEventError',
    message: /CodePipeline\.job\.id: expected the job id/,
  },
  {
    name: 'CodePipeline job without UserParameters',
    act: failedJob(h, job('')),
    error: 'MalformedEventError',
    message: new RegExp(`${UP}: expected a site name`),
    allowed: FAILURE_REPORTED,
  },
  {
    name: 'CodePipeline UserParameters not JSON',
    act: failedJob(h, job('{site: docs')),
    error: 'MalformedEventError',
    message: new RegExp(`${UP}: not valid JSON`),
    allowed: FAILURE_REPORTED,
  },
  {
    name: 'CodePipeline UserParameters with an unknown key',
    act: failedJob(h, job('{"site":"docs","path":["/a"]}')),
    error: 'MalformedEventError',
    message: /Unrecognized key.*"path"/,
    allowed: FAILURE_REPORTED,
  },
  {
    name: 'CodePipeline path with ..',
    act: failedJob(h, job('{"site":"docs","paths":["/a/../b"]}')),
    error: 'MalformedEventError',
    message: /UserParameters\.paths\[0\]: .*'\.\.'/,
    allowed: FAILURE_REPORTED,
  },
  {
    name: 'CodePipeline unknown site',
    act: failedJob(h, job('nope')),
    error: 'UnknownSiteError',
    message: /unknown site "nope"/,
    allowed: FAILURE_REPORTED,
  },
  {
    name: 'deferred message of another kind',
    act: () =>
      thrown(async () => {
        const r = await h().deferred({ Records: [{ messageId: 'd', body: '{"kind":"other"}' }] });
        if (r.batchItemFailures.length === 1) parseDeferredMessage('{"kind":"other"}');
      }),
    error: 'MalformedEventError',
    message: /body\.kind: .*"shipyard\.deferred-invalidation"/,
  },
];

describe('hostile input to the invalidation entry points', () => {
  let h: Handlers | undefined;
  const current = () => {
    if (!h) throw new Error('handlers not built');
    return h;
  };
  const cases = [
    ...s3Cases(current),
    ...eventBridgeCases(current),
    ...githubCases(current),
    ...pipelineCases(current),
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, hostile) => {
    // Prepare
    h = await handlers();
    const before = await mutatingCalls(local().control);
    // Act
    const observed = await hostile.act();
    // Assess
    expect(observed.name).toBe(hostile.error);
    expect(observed.message).toMatch(hostile.message);
    expect(newCalls(before, await mutatingCalls(local().control))).toEqual(hostile.allowed ?? {});
  });

  it('covers at least 45 cases here', () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
  });
});
