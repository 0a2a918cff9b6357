/**
 * The packaged stack under the local cloud's IAM mode: every call a deployed function makes is
 * evaluated against the role the template gives it, as AWS evaluates it (IAM User Guide,
 * "Policy evaluation logic"). The packaged roles must be enough for a nightly backup (snapshot →
 * AMI → copy → share → rotate) and for an invalidation; and a role missing one statement fails
 * the run with EC2's AccessDenied naming the action — here the CopyImage statement on the
 * source AMI, which AWS authorises since 2024-10-28 (EC2 User Guide, "Grant permissions to copy
 * Amazon EC2 AMIs").
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deployTemplate } from '@shipyard/local-cloud';
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO, seedDemoAccount } from '../../../cli/rehearsal/demo-account.ts';
import { runNights } from '../../../cli/rehearsal/nights.ts';
import { docsRelease, webRelease } from '../../../cli/rehearsal/site-content.ts';
import { releaseWebThroughS3Events } from '../../../cli/rehearsal/site-releases.ts';
import { type PackagedService, packageServiceCached } from '../../../scripts/package-service.ts';
import { createS3ObjectsPort } from '../../../shared/aws/s3-objects.ts';
import { createBackupExecutionsPort } from '../../../shared/aws/sfn-executions.ts';
import { parseConfig } from '../../../shared/config/load.ts';

const local = useLocalCloud({
  iam: 'enforce',
  clock: { speed: 0 },
  pollIntervalMs: 0,
  functionLogs: 'capture',
});
const CONFIG_FILE = resolve(import.meta.dirname, '..', '..', '..', 'config/shipyard.dev.yml');
const config = parseConfig(readFileSync(CONFIG_FILE, 'utf8'), CONFIG_FILE);
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const COPY_ROLE = 'BackupCopyImageIamRoleLambdaExecution';

let pkg: PackagedService;
beforeAll(async () => {
  pkg = await packageServiceCached('dev');
});

type Template = PackagedService['template'];

/** The packaged template without the statement `sid` of the role `roleId`. */
const withoutStatement = (template: Template, roleId: string, sid: string): Template => {
  const copy = structuredClone(template);
  const policies = copy.Resources[roleId]?.Properties?.Policies as {
    PolicyDocument: { Statement: { Sid?: string }[] };
  }[];
  const document = policies[0]?.PolicyDocument;
  if (!document?.Statement.some((s) => s.Sid === sid)) throw new Error(`${roleId} has no statement ${sid}`);
  document.Statement = document.Statement.filter((s) => s.Sid !== sid);
  return copy;
};

const deploy = async (template: Template) => {
  const networks = config.backupPolicies.flatMap((p) => p.verify?.regions ?? []);
  await seedDemoAccount(local().control, { web: webRelease(1), docs: docsRelease(1) }, networks);
  const report = await deployTemplate({
    template,
    packageDir: pkg.dir,
    endpoint: local().url,
    stage: 'dev',
    sites: config.sites,
  });
  expect(report.blocking).toEqual([]);
  const machine = report.resources.find((r) => r.logicalId === 'BackupStateMachine')?.physicalId ?? '';
  return { machine };
};

const oneNight = async (stateMachineArn: string) => {
  const [night] = await runNights({
    control: local().control,
    executions: createBackupExecutionsPort({ endpoint: local().url, region: 'us-east-1', credentials }),
    stateMachineArn,
    policy: { name: 'nightly', timeZone: 'Asia/Kolkata', hour: 2, minute: 0 },
    scheduleName: 'shipyard-dev-backup-nightly',
    nights: 1,
  });
  if (!night) throw new Error('no night ran');
  return night;
};

describe('the packaged stack with IAM enforced', () => {
  it('runs a nightly backup and an invalidation with the packaged roles, nothing denied or unmapped', async () => {
    // Prepare
    const { machine } = await deploy(pkg.template);
    // Act: a web release through S3 events → SQS → invalidateS3Events (its batching window on the clock)
    const s3 = createS3ObjectsPort({
      endpoint: local().url,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
    });
    await releaseWebThroughS3Events(s3);
    await local().control.pump();
    await local().control.advance({ minutes: 2 });
    const { batches } = await local().control.pump();
    // … and one night of the schedule
    const night = await oneNight(machine);
    // Assess
    expect(batches.flatMap((b) => b.failedMessageIds)).toEqual([]);
    const state = await local().control.state<{
      cloudfront: { distributions: { id: string; invalidations: unknown[] }[] };
    }>();
    const web = state.cloudfront.distributions.find((d) => d.id === DEMO.sites.web.distributions[0]);
    expect(web?.invalidations.length).toBeGreaterThan(0);
    expect(night.status, night.error).toBe('SUCCEEDED');
    expect(night.summary?.totals.images).toBe(9);
    const iam = await local().control.iam();
    expect(iam.denials).toEqual([]);
    expect(iam.unmapped).toEqual([]);
    // The calls were evaluated, not waved through: each step's action was allowed by its role.
    const { tallies } = await local().control.counters();
    for (const action of [
      'ec2:CreateSnapshots',
      'ec2:RegisterImage',
      'ec2:CopyImage',
      'ec2:CreateTags',
      'ec2:ModifyImageAttribute',
      's3:PutObject',
      's3:ListBucket',
      'states:StartExecution',
      'cloudfront:CreateInvalidation',
    ])
      expect(tallies[`iam.allowed.${action}`] ?? 0, action).toBeGreaterThan(0);
  });

  it('fails the run with AccessDenied naming ec2:CopyImage when the role lacks the source-AMI statement', async () => {
    // Prepare
    const { machine } = await deploy(withoutStatement(pkg.template, COPY_ROLE, 'CopyImageSource'));
    // Act
    const night = await oneNight(machine);
    // Assess
    expect(night.status).not.toBe('SUCCEEDED');
    const text = JSON.stringify(night);
    expect(text).toContain('UnauthorizedOperation');
    expect(text).toMatch(
      /is not authorized to perform: ec2:CopyImage on resource: arn:aws:ec2:ap-south-1::image\/ami-/,
    );
    const { denials } = await local().control.iam();
    expect(new Set(denials.map((d) => `${d.principal.split('/')[2]} ${d.action}`))).toEqual(
      new Set(['shipyard-dev-backupCopyImage ec2:CopyImage']),
    );
  });
});
