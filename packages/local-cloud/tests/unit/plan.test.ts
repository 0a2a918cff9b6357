// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings, not template literals
import { describe, expect, it } from 'vitest';
import { planTemplate } from '../../src/deploy/plan.ts';
import { parseTemplate, TemplateError } from '../../src/deploy/template.ts';

const ctx = {
  region: 'us-east-1',
  accountId: '123456789012',
  stackName: 'shipyard-dev',
  endpoint: 'http://127.0.0.1:4566',
};

const template = parseTemplate({
  Conditions: { HasEmail: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] } },
  Resources: {
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] },
      },
    },
    Fn: {
      Type: 'AWS::Lambda::Function',
      DependsOn: ['Role'],
      Properties: {
        FunctionName: 'shipyard-dev-work',
        Environment: { Variables: { QUEUE_URL: { Ref: 'Queue' } } },
      },
    },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::Sub': '${AWS::StackName}-jobs' } } },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    Url: {
      Type: 'AWS::Lambda::Url',
      Properties: { TargetFunctionArn: { 'Fn::GetAtt': ['Fn', 'Arn'] }, AuthType: 'NONE' },
    },
    Email: { Type: 'AWS::SNS::Subscription', Condition: 'HasEmail', Properties: { Endpoint: '' } },
    Broken: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { Ref: 'Missing' } } },
  },
});

describe('planTemplate', () => {
  const plan = planTemplate(template, ctx);
  const byId = Object.fromEntries(plan.map((p) => [p.logicalId, p]));
  const position = (id: string) => plan.findIndex((p) => p.logicalId === id);

  it('orders every resource after what it refers to or DependsOn', () => {
    expect(position('Queue')).toBeLessThan(position('Fn'));
    expect(position('Role')).toBeLessThan(position('Fn'));
    expect(position('Fn')).toBeLessThan(position('Mapping'));
    expect(position('Fn')).toBeLessThan(position('Url'));
    expect(plan).toHaveLength(Object.keys(template.Resources).length);
  });

  it('gives resources their local names, URLs and ARNs', () => {
    expect(byId.Queue?.physical).toEqual({
      ref: 'http://127.0.0.1:4566/123456789012/shipyard-dev-jobs',
      attributes: {
        Arn: 'arn:aws:sqs:us-east-1:123456789012:shipyard-dev-jobs',
        QueueName: 'shipyard-dev-jobs',
        QueueUrl: 'http://127.0.0.1:4566/123456789012/shipyard-dev-jobs',
      },
    });
    expect(byId.Fn?.properties).toEqual({
      FunctionName: 'shipyard-dev-work',
      Environment: { Variables: { QUEUE_URL: 'http://127.0.0.1:4566/123456789012/shipyard-dev-jobs' } },
    });
    expect(byId.Url?.physical.attributes.FunctionUrl).toBe(
      'http://127.0.0.1:4566/_functionurl/us-east-1/shipyard-dev-work/',
    );
  });

  it('names unnamed resources like CloudFormation, the same way every time', () => {
    const role = byId.Role?.physical.ref ?? '';
    expect(role).toMatch(/^shipyard-dev-Role-[A-Z2-7]{12}$/);
    expect(planTemplate(template, ctx).find((p) => p.logicalId === 'Role')?.physical.ref).toBe(role);
  });

  it('marks a resource whose condition is false, and one whose properties do not resolve', () => {
    expect(byId.Email?.conditionFalse).toBe('HasEmail');
    expect(byId.Broken?.error).toMatch(/Missing is neither a parameter nor a resource/);
  });

  it('refuses circular dependencies', () => {
    const circular = parseTemplate({
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { X: { Ref: 'B' } } },
        B: { Type: 'AWS::SQS::Queue', Properties: { X: { Ref: 'A' } } },
      },
    });
    expect(() => planTemplate(circular, ctx)).toThrow(/circular dependency between A, B/);
  });

  it('refuses something that is not a template', () => {
    expect(() => parseTemplate({ Resources: { A: { Properties: {} } } })).toThrow(TemplateError);
  });
});
