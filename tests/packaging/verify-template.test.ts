/**
 * The restore verification as packaged: its state machine (the file the workflow tests run),
 * its schedules and "after a run" rule, and the least privilege of its functions.
 *
 * IAM sources:
 * - EC2 User Guide, "Grant permission to tag Amazon EC2 resources during creation"
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html):
 *   tags in a create request need ec2:CreateTags too; `ec2:CreateAction` limits it to that
 *   create call, `aws:RequestTag/…` requires the tags on the new resource.
 * - EC2 User Guide, "Example: Work with instances" / RunInstances examples and the Service
 *   Authorization Reference for Amazon EC2
 *   (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html):
 *   RunInstances is authorized on the image, instance, network-interface, security-group,
 *   subnet and volume; `ec2:Subnet` on the network interface; an instance profile needs
 *   iam:PassRole. `ec2:AssociatePublicIpAddress` on the network interface is [unconfirmed]
 *   (not found in the stored pages; named in ASSOCIATE_PUBLIC_IP_KEY).
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import validator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type PolicyStatement, roleStatements } from '../../scripts/iam-report.ts';
import { type CloudFormationTemplate, packageServiceCached } from '../../scripts/package-service.ts';

const require = createRequire(import.meta.url);

/** [unconfirmed] The condition key that refuses a public IP on RunInstances' network interface. */
const ASSOCIATE_PUBLIC_IP_KEY = 'ec2:AssociatePublicIpAddress';

let template: CloudFormationTemplate;
beforeAll(async () => {
  template = (await packageServiceCached('dev')).template;
});

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const statements = (): { role: string; statement: PolicyStatement }[] =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .flatMap(([role, resource]) => roleStatements(resource).map((statement) => ({ role, statement })));
const granting = (action: string) =>
  statements().filter(
    ({ statement }) => statement.Effect === 'Allow' && asList(statement.Action).includes(action),
  );

const devConfig = parseYaml(readFileSync('config/shipyard.dev.yml', 'utf8')) as {
  backupPolicies: { verify?: { regions: { region: string; subnetId: string; securityGroupId: string }[] } }[];
};
const verifyRegions = devConfig.backupPolicies.flatMap((p) => p.verify?.regions ?? []);
const ec2Arn = (region: string, type: string, id: string) =>
  `arn:\${AWS::Partition}:ec2:${region}:\${AWS::AccountId}:${type}/${id}`;
const resourcesOf = (statement: PolicyStatement) =>
  asList(statement.Resource).map((r) => (r as { 'Fn::Sub'?: string })['Fn::Sub'] ?? JSON.stringify(r));

describe('the verification state machine', () => {
  it('deploys statemachines/verify.asl.yaml, valid with path and ARN checks, every Task a verify function', () => {
    const definition = parseYaml(readFileSync('statemachines/verify.asl.yaml', 'utf8'));
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
    const machine = template.Resources.VerifyStateMachine;
    expect(machine?.Type).toBe('AWS::StepFunctions::StateMachine');
    const deployed = JSON.stringify(machine?.Properties);
    for (const fn of [
      'VerifyStartLambdaFunction',
      'VerifyCheckLambdaFunction',
      'VerifyCleanupLambdaFunction',
    ])
      expect(deployed).toContain(fn);
  });

  it('goes from every error of a round to Cleanup, and waits between rounds in a Wait state', () => {
    const { States } = parseYaml(readFileSync('statemachines/verify.asl.yaml', 'utf8')) as {
      States: Record<
        string,
        { Type: string; Catch?: { ErrorEquals: string[]; Next: string }[]; Next?: string }
      >;
    };
    expect(States.Check?.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Cleanup' }),
    ]);
    expect(States.Poll).toMatchObject({ Type: 'Wait', Next: 'Check' });
    expect(States.Cleanup?.Next).toBe('VerificationFailed');
  });

  it('sweeps on a schedule of its own', () => {
    expect(template.Resources.VerifySweepSchedule?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      Target: { Arn: { 'Fn::GetAtt': ['VerifySweepLambdaFunction', 'Arn'] } },
    });
  });

  it("schedules a policy's verify.schedule and verifies after its runs when afterRun is set (prod config)", async () => {
    const { resources } = require('../../serverless/verify-resources.cjs') as {
      resources: (context: {
        resolveVariable: (v: string) => Promise<string>;
      }) => Promise<Record<string, { Type: string; Properties: Record<string, unknown> }>>;
    };
    const out = await resources({
      resolveVariable: async (v) => (v === 'sls:stage' ? 'prod' : 'config/shipyard.prod.yml'),
    });
    expect(out.VerifyScheduleProdNightly?.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 6 ? * 1 *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Target: { Arn: { Ref: 'VerifyStateMachine' }, Input: JSON.stringify({ policy: 'prod-nightly' }) },
    });
    expect(out.VerifyAfterRunRule?.Properties).toMatchObject({
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [{ Ref: 'BackupStateMachine' }] },
      },
      Targets: [expect.objectContaining({ Arn: { Ref: 'VerifyStateMachine' }, InputPath: '$.detail' })],
    });
    // The dev stage sets neither: no schedule, no rule.
    expect(
      Object.keys(template.Resources).filter((k) => /^VerifySchedule(?!r)|^VerifyAfterRun/.test(k)),
    ).toEqual([]);
  });
});

describe('least privilege of the verification functions', () => {
  it('allows RunInstances only into the configured subnets and groups, tagged as a verification on create, without a public IP', () => {
    const runs = granting('ec2:RunInstances');
    expect(new Set(runs.map((r) => r.role))).toEqual(new Set(['VerifyCheckIamRoleLambdaExecution']));
    const named = runs.flatMap(({ statement }) => resourcesOf(statement));
    const subnets = named.filter((r) => r.includes(':subnet/'));
    const groups = named.filter((r) => r.includes(':security-group/'));
    expect(subnets.sort()).toEqual(verifyRegions.map((r) => ec2Arn(r.region, 'subnet', r.subnetId)).sort());
    expect(groups.sort()).toEqual(
      verifyRegions.map((r) => ec2Arn(r.region, 'security-group', r.securityGroupId)).sort(),
    );
    const byType = (type: string) =>
      runs.filter(({ statement }) => resourcesOf(statement).some((r) => r.includes(`:${type}/*`)));
    const [eni] = byType('network-interface');
    expect(JSON.stringify(eni?.statement.Condition)).toContain('"ec2:Subnet"');
    expect(eni?.statement.Condition).toMatchObject({ Bool: { [ASSOCIATE_PUBLIC_IP_KEY]: 'false' } });
    for (const { statement } of byType('instance'))
      expect(statement.Condition).toEqual({
        StringEquals: {
          'aws:RequestTag/shipyard:managed': 'true',
          'aws:RequestTag/shipyard:kind': 'verification',
        },
      });
    // No instance profile can be attached: nothing may pass a role.
    expect(granting('iam:PassRole')).toEqual([]);
  });

  it('tags instances and volumes only as part of RunInstances', () => {
    const onInstances = granting('ec2:CreateTags').filter(({ statement }) =>
      resourcesOf(statement).some((r) => r.includes(':instance/')),
    );
    expect(onInstances.map((s) => s.role)).toEqual(['VerifyCheckIamRoleLambdaExecution']);
    expect(onInstances[0]?.statement.Condition).toEqual({
      StringEquals: { 'ec2:CreateAction': 'RunInstances' },
    });
  });

  it('terminates only instances tagged as verification instances, and only from the verify functions', () => {
    const terminates = granting('ec2:TerminateInstances');
    expect(new Set(terminates.map((t) => t.role))).toEqual(
      new Set([
        'VerifyStartIamRoleLambdaExecution',
        'VerifyCheckIamRoleLambdaExecution',
        'VerifyCleanupIamRoleLambdaExecution',
        'VerifySweepIamRoleLambdaExecution',
      ]),
    );
    for (const { role, statement } of terminates)
      expect(statement.Condition, role).toEqual({
        StringEquals: {
          'aws:ResourceTag/shipyard:managed': 'true',
          'aws:ResourceTag/shipyard:kind': 'verification',
        },
      });
  });
});
