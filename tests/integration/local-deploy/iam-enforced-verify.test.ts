/**
 * The restore tests of the packaged stack under the local cloud's IAM mode: the deployed
 * verification state machine launches the newest backups with the verify role's least-privilege
 * RunInstances statements (Service Authorization Reference, "Actions, resources, and condition
 * keys for Amazon EC2", RunInstances: image*, instance*, network-interface*, security-group*,
 * subnet*, volume*; EC2 User Guide, "Grant permission to tag resources during creation":
 * tags on create need ec2:CreateTags with ec2:CreateAction = RunInstances), judges them,
 * terminates them and tags the AMIs, nothing denied or unmapped. Without the tag-on-create
 * statement the launch is denied, as EC2 denies it, and nothing is launched.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deployTemplate } from '@shipyard/local-cloud';
import { useLocalCloud } from '@shipyard/local-cloud/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoAccount } from '../../../cli/rehearsal/demo-account.ts';
import { runNights } from '../../../cli/rehearsal/nights.ts';
import { docsRelease, webRelease } from '../../../cli/rehearsal/site-content.ts';
import { verifyNightlyBackups } from '../../../cli/rehearsal/verification.ts';
import { type PackagedService, packageServiceCached } from '../../../scripts/package-service.ts';
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
const CHECK_ROLE = 'VerifyCheckIamRoleLambdaExecution';

let pkg: PackagedService;
beforeAll(async () => {
  pkg = await packageServiceCached('dev');
});

type Template = PackagedService['template'];
interface Statement {
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** The packaged template without the verify role's statement that `drop` picks (exactly one). */
const withoutStatement = (template: Template, drop: (s: Statement) => boolean): Template => {
  const copy = structuredClone(template);
  const policies = copy.Resources[CHECK_ROLE]?.Properties?.Policies as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  const document = policies[0]?.PolicyDocument;
  if (document?.Statement.filter(drop).length !== 1)
    throw new Error(`${CHECK_ROLE} has not exactly one such statement`);
  document.Statement = document.Statement.filter((s) => !drop(s));
  return copy;
};

const tagsOnRunInstances = (s: Statement) =>
  [s.Action].flat().includes('ec2:CreateTags') &&
  s.Condition?.StringEquals?.['ec2:CreateAction'] === 'RunInstances';

const physical = (report: Awaited<ReturnType<typeof deployTemplate>>, id: string) =>
  report.resources.find((r) => r.logicalId === id)?.physicalId ?? '';

/** Deploys the template, runs one night, then the verification of the policy's newest backups. */
const nightThenVerify = async (template: Template) => {
  const verify = config.backupPolicies.flatMap((p) => p.verify?.regions ?? []);
  await seedDemoAccount(local().control, { web: webRelease(1), docs: docsRelease(1) }, verify);
  const report = await deployTemplate({
    template,
    packageDir: pkg.dir,
    endpoint: local().url,
    stage: 'dev',
    sites: config.sites,
  });
  expect(report.blocking).toEqual([]);
  const executions = createBackupExecutionsPort({ endpoint: local().url, region: 'us-east-1', credentials });
  const [night] = await runNights({
    control: local().control,
    executions,
    stateMachineArn: physical(report, 'BackupStateMachine'),
    policy: { name: 'nightly', timeZone: 'Asia/Kolkata', hour: 2, minute: 0 },
    scheduleName: 'shipyard-dev-backup-nightly',
    nights: 1,
  });
  expect(night?.status, night?.error).toBe('SUCCEEDED');
  return verifyNightlyBackups({
    control: local().control,
    executions,
    stateMachineArn: physical(report, 'VerifyStateMachine'),
    policy: 'nightly',
  }).then(
    (outcome) => ({ outcome, error: undefined }),
    (error: unknown) => ({ outcome: undefined, error: String(error) }),
  );
};

const launched = async () => {
  const state = await local().control.state<{
    ec2: { regions: Record<string, { instances: { tags: Record<string, string> }[] }> };
  }>();
  return Object.values(state.ec2.regions).flatMap((r) =>
    r.instances.filter((i) => i.tags['shipyard:kind'] === 'verification'),
  );
};

describe('the restore tests of the packaged stack with IAM enforced', () => {
  it('launch, judge, terminate and tag with the packaged verify roles, nothing denied or unmapped', async () => {
    // Act
    const { outcome, error } = await nightThenVerify(pkg.template);
    // Assess
    expect(error).toBeUndefined();
    expect(outcome?.entries.length).toBeGreaterThan(0);
    expect(outcome?.entries.map((e) => e.status)).toEqual(outcome?.entries.map(() => 'passed'));
    const iam = await local().control.iam();
    expect(iam.denials).toEqual([]);
    expect(iam.unmapped).toEqual([]);
    const { tallies } = await local().control.counters();
    for (const action of [
      'ec2:RunInstances',
      'ec2:CreateTags',
      'ec2:DescribeInstanceStatus',
      'ec2:TerminateInstances',
      'ec2:DescribeSubnets',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
    ])
      expect(tallies[`iam.allowed.${action}`] ?? 0, action).toBeGreaterThan(0);
  });

  it('is denied the launch, naming ec2:CreateTags on the new instance, without the tag-on-create statement', async () => {
    // Act
    const { outcome, error } = await nightThenVerify(withoutStatement(pkg.template, tagsOnRunInstances));
    // Assess: no restore test passed, and the one denial is verifyCheck's CreateTags at launch
    expect(outcome?.entries.filter((e) => e.status === 'passed') ?? []).toEqual([]);
    expect(`${error ?? ''}${JSON.stringify(outcome ?? {})}`).toMatch(
      /is not authorized to perform: ec2:CreateTags on resource: arn:aws:ec2:[a-z0-9-]+:123456789012:instance\/\*/,
    );
    const { denials } = await local().control.iam();
    expect(
      new Set(denials.map((d) => `${d.principal.split('/')[2]} ${d.action} ${d.resource.split(':').at(-1)}`)),
    ).toEqual(new Set(['shipyard-dev-verifyCheck ec2:CreateTags instance/*']));
    expect(await launched()).toEqual([]);
  });
});
