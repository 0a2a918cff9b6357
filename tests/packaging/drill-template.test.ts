/**
 * The failover drill as packaged: its state machine (the file the workflow tests run, valid
 * with path and ARN checks), its four functions, and their least privilege built from the
 * dev config's `drills`.
 *
 * IAM sources:
 * - Service Authorization Reference, "Actions, resources, and condition keys for AWS Global
 *   Accelerator" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsglobalaccelerator.html):
 *   DescribeAccelerator on the accelerator, DescribeEndpointGroup / UpdateEndpointGroup on the
 *   endpoint group (region-less ARNs). The API is called in us-west-2 only: "you must specify
 *   the US West (Oregon) Region to create, update, or otherwise work with accelerators"
 *   (Global Accelerator API Reference, e.g. CreateAccelerator; Developer Guide, "AWS Region
 *   availability for AWS Global Accelerator").
 * - Service Authorization Reference for Amazon EC2: CreateLaunchTemplateVersion on the
 *   launch-template resource; DescribeLaunchTemplateVersions has no resource type (`*`).
 * - Service Authorization Reference for Amazon CloudWatch: DescribeAlarms on alarm ARNs
 *   (composite alarms only with `*`: DescribeAlarms API reference).
 */
import { readFileSync } from 'node:fs';
import validator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type PolicyStatement, roleStatements } from '../../scripts/iam-report.ts';
import { type CloudFormationTemplate, packageServiceCached } from '../../scripts/package-service.ts';
import { parseConfig } from '../../shared/config/load.ts';

const DRILL_ROLES = ['Start', 'Template', 'Dial', 'Revert'].map((s) => `Drill${s}IamRoleLambdaExecution`);

let template: CloudFormationTemplate;
beforeAll(async () => {
  template = (await packageServiceCached('dev')).template;
});

const [drill] = parseConfig(
  readFileSync('config/shipyard.dev.yml', 'utf8'),
  'config/shipyard.dev.yml',
).drills;

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
const resourcesOf = (statement: PolicyStatement) =>
  asList(statement.Resource).map((r) => (r as { 'Fn::Sub'?: string })['Fn::Sub'] ?? r);

describe('the drill state machine', () => {
  it('deploys statemachines/drill.asl.yaml, valid with path and ARN checks, every Task a drill function', () => {
    const definition = parseYaml(readFileSync('statemachines/drill.asl.yaml', 'utf8'));
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
    const machine = template.Resources.DrillStateMachine;
    expect(machine?.Type).toBe('AWS::StepFunctions::StateMachine');
    const deployed = JSON.stringify(machine?.Properties);
    for (const fn of ['Start', 'Template', 'Dial', 'Revert'])
      expect(deployed).toContain(`Drill${fn}LambdaFunction`);
    expect(machine?.Properties).toMatchObject({ StateMachineType: 'STANDARD' });
  });

  it('reverts from every error of Template and Dial, and waits in Wait states only', () => {
    const { States } = parseYaml(readFileSync('statemachines/drill.asl.yaml', 'utf8')) as {
      States: Record<
        string,
        { Type: string; Catch?: { ErrorEquals: string[]; Next: string }[]; Next?: string }
      >;
    };
    for (const name of ['Template', 'Dial'])
      expect(States[name]?.Catch, name).toEqual([
        expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Revert' }),
      ]);
    expect(States.Bake).toMatchObject({ Type: 'Wait', Next: 'Dial' });
    expect(States.Settle).toMatchObject({ Type: 'Wait', Next: 'Revert' });
    expect(Object.values(States).filter((s) => s.Type === 'Wait')).toHaveLength(2);
  });
});

describe('a stopped drill', () => {
  it('starts a drill execution with the status-change detail of an ABORTED or TIMED_OUT one, through a role that may only start it', () => {
    expect(template.Resources.DrillStoppedRule?.Properties).toMatchObject({
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['ABORTED', 'TIMED_OUT'], stateMachineArn: [{ Ref: 'DrillStateMachine' }] },
      },
      Targets: [expect.objectContaining({ Arn: { Ref: 'DrillStateMachine' }, InputPath: '$.detail' })],
    });
    const role = template.Resources.DrillStoppedRole;
    expect(roleStatements(role as never)).toEqual([
      { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'DrillStateMachine' } },
    ]);
  });
});

describe('least privilege of the drill functions', () => {
  it('dials only the configured endpoint groups, only from Dial and Revert; nothing creates or deletes accelerators', () => {
    const updates = granting('globalaccelerator:UpdateEndpointGroup');
    expect(new Set(updates.map((u) => u.role))).toEqual(
      new Set(['DrillDialIamRoleLambdaExecution', 'DrillRevertIamRoleLambdaExecution']),
    );
    const partitioned = (arn = '') => arn.replace(/^arn:aws:/, `arn:\${AWS::Partition}:`);
    const groups = [drill?.primary.endpointGroupArn, drill?.standby.endpointGroupArn].map(partitioned).sort();
    for (const { statement } of updates) expect(resourcesOf(statement).sort()).toEqual(groups);
    for (const { statement } of granting('globalaccelerator:DescribeEndpointGroup'))
      expect(resourcesOf(statement).sort()).toEqual(groups);
    for (const { statement } of granting('globalaccelerator:DescribeAccelerator'))
      expect(resourcesOf(statement)).toEqual([partitioned(drill?.acceleratorArn)]);
    const gaActions = statements()
      .flatMap(({ statement }) => asList(statement.Action))
      .filter((a) => a.startsWith('globalaccelerator:'));
    expect(new Set(gaActions)).toEqual(
      new Set([
        'globalaccelerator:DescribeAccelerator',
        'globalaccelerator:DescribeEndpointGroup',
        'globalaccelerator:UpdateEndpointGroup',
      ]),
    );
  });

  it('creates launch template versions only of the configured standby template, only from Template', () => {
    const creates = granting('ec2:CreateLaunchTemplateVersion');
    expect(creates.map((c) => c.role)).toEqual(['DrillTemplateIamRoleLambdaExecution']);
    expect(creates.flatMap(({ statement }) => resourcesOf(statement))).toEqual([
      `arn:\${AWS::Partition}:ec2:${drill?.standby.region}:\${AWS::AccountId}:launch-template/${drill?.standby.launchTemplateId}`,
    ]);
    expect(granting('ec2:ModifyLaunchTemplate')).toEqual([]);
    expect(granting('ec2:DeleteLaunchTemplate')).toEqual([]);
  });

  it('reads only the gate alarms, target health, and the bucket under verifications/ and drill-locks/', () => {
    for (const { statement } of granting('cloudwatch:DescribeAlarms'))
      expect(resourcesOf(statement)).toEqual(
        (drill?.alarms ?? []).map(
          (a) => `arn:\${AWS::Partition}:cloudwatch:${a.region}:\${AWS::AccountId}:alarm:${a.name}`,
        ),
      );
    expect(new Set(granting('cloudwatch:DescribeAlarms').map((g) => g.role))).toEqual(
      new Set(['DrillStartIamRoleLambdaExecution', 'DrillDialIamRoleLambdaExecution']),
    );
    const drillStatements = statements().filter(({ role }) => DRILL_ROLES.includes(role));
    const s3 = drillStatements.filter(({ statement }) =>
      asList(statement.Action).some((a) => a.startsWith('s3:') && a !== 's3:ListBucket'),
    );
    for (const { statement } of s3)
      for (const r of asList(statement.Resource))
        expect(JSON.stringify(r)).toMatch(/\/(verifications|drill-locks)\/\*/);
    // Every drill role exists and nothing of it can terminate, run or pass a role.
    expect(DRILL_ROLES.every((r) => template.Resources[r] !== undefined)).toBe(true);
    const forbidden = drillStatements.flatMap(({ statement }) =>
      asList(statement.Action).filter((a) => /RunInstances|TerminateInstances|PassRole|\*$/.test(a)),
    );
    expect(forbidden).toEqual([]);
  });
});
