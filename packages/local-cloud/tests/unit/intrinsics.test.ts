// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings, not template literals
import { describe, expect, it } from 'vitest';
import {
  IntrinsicError,
  NO_VALUE,
  type ResolveContext,
  Resolver,
  referencesOf,
} from '../../src/deploy/intrinsics.ts';

const RESOURCES: Record<string, { ref: string; attributes: Record<string, unknown> }> = {
  Queue: {
    ref: 'http://127.0.0.1:4566/123456789012/jobs',
    attributes: { Arn: 'arn:aws:sqs:us-east-1:123456789012:jobs', QueueName: 'jobs' },
  },
  Fn: {
    ref: 'shipyard-dev-work',
    attributes: { Arn: 'arn:aws:lambda:us-east-1:123456789012:function:shipyard-dev-work' },
  },
};

const context = (overrides: Partial<ResolveContext> = {}): ResolveContext => ({
  region: 'eu-west-1',
  accountId: '123456789012',
  stackName: 'shipyard-dev',
  parameters: { Stage: 'dev', Count: 3 },
  conditions: {
    IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
    IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    DevAndNotProd: { 'Fn::And': [{ Condition: 'IsDev' }, { Condition: 'NotProd' }] },
    DevOrProd: { 'Fn::Or': [{ Condition: 'IsDev' }, { Condition: 'IsProd' }] },
    Loop: { 'Fn::Not': [{ Condition: 'Loop' }] },
  },
  mappings: { Sizes: { dev: { Memory: 256 } } },
  resource: (id) => RESOURCES[id],
  ...overrides,
});

const resolve = (value: unknown, ctx = context()) => new Resolver(ctx).resolve(value);

describe('Resolver', () => {
  it.each([
    ['a parameter', { Ref: 'Stage' }, 'dev'],
    ['a resource Ref', { Ref: 'Queue' }, RESOURCES.Queue?.ref],
    ['AWS::Region', { Ref: 'AWS::Region' }, 'eu-west-1'],
    ['AWS::AccountId', { Ref: 'AWS::AccountId' }, '123456789012'],
    ['AWS::Partition', { Ref: 'AWS::Partition' }, 'aws'],
    ['AWS::StackName', { Ref: 'AWS::StackName' }, 'shipyard-dev'],
    ['AWS::URLSuffix', { Ref: 'AWS::URLSuffix' }, 'amazonaws.com'],
    ['GetAtt as a list', { 'Fn::GetAtt': ['Queue', 'Arn'] }, 'arn:aws:sqs:us-east-1:123456789012:jobs'],
    ['GetAtt as a string', { 'Fn::GetAtt': 'Queue.QueueName' }, 'jobs'],
    [
      'Sub with pseudo parameters',
      { 'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:t' },
      'arn:aws:sns:eu-west-1:123456789012:t',
    ],
    [
      'Sub with Res.Attr and a parameter',
      { 'Fn::Sub': '${Fn.Arn}/${Stage}' },
      `${RESOURCES.Fn?.attributes.Arn}/dev`,
    ],
    ['Sub keeps ${!Literal}', { 'Fn::Sub': '${!Stage}-${Stage}' }, '${Stage}-dev'],
    [
      'Sub with a variable map (it wins over a parameter)',
      { 'Fn::Sub': ['${Stage}:${x}', { Stage: 'override', x: { Ref: 'Fn' } }] },
      'override:shipyard-dev-work',
    ],
    ['Join of resolved values', { 'Fn::Join': [':', ['a', { Ref: 'Stage' }, { Ref: 'Count' }]] }, 'a:dev:3'],
    ['Select', { 'Fn::Select': [1, ['a', 'b', 'c']] }, 'b'],
    [
      'Select of a Split',
      { 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Queue', 'Arn'] }] }] },
      'jobs',
    ],
    ['If true', { 'Fn::If': ['IsDev', 'yes', 'no'] }, 'yes'],
    ['If false', { 'Fn::If': ['IsProd', 'yes', 'no'] }, 'no'],
    ['FindInMap', { 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Memory'] }, 256],
    ['Base64', { 'Fn::Base64': 'hi' }, 'aGk='],
  ])('%s', (_name, input, expected) => {
    expect(resolve(input)).toEqual(expected);
  });

  it('evaluates conditions with Equals, Not, And and Or', () => {
    const resolver = new Resolver(context());
    expect(
      ['IsDev', 'IsProd', 'NotProd', 'DevAndNotProd', 'DevOrProd'].map((c) => resolver.condition(c)),
    ).toEqual([true, false, true, true, true]);
  });

  it('removes properties and list items that resolve to AWS::NoValue', () => {
    expect(
      resolve({
        a: { Ref: 'AWS::NoValue' },
        b: [1, { 'Fn::If': ['IsProd', 2, { Ref: 'AWS::NoValue' }] }],
        c: 'kept',
      }),
    ).toEqual({
      b: [1],
      c: 'kept',
    });
    expect(resolve({ Ref: 'AWS::NoValue' })).toBe(NO_VALUE);
  });

  it('resolves nested intrinsics inside plain objects and lists', () => {
    expect(
      resolve({ Env: { Variables: { QUEUE: { Ref: 'Queue' }, N: 1 } }, List: [{ Ref: 'Stage' }] }),
    ).toEqual({
      Env: { Variables: { QUEUE: RESOURCES.Queue?.ref, N: 1 } },
      List: ['dev'],
    });
  });

  it.each([
    ['an unknown resource', { Ref: 'Nope' }, /Nope is neither a parameter nor a resource/],
    ['an unknown attribute', { 'Fn::GetAtt': ['Queue', 'Nope'] }, /Queue has no attribute Nope/],
    ['an unknown pseudo parameter', { Ref: 'AWS::Nope' }, /unknown pseudo parameter/],
    ['a Select out of range', { 'Fn::Select': [3, ['a']] }, /outside a list of 1/],
    ['an unsupported function', { 'Fn::ImportValue': 'x' }, /Fn::ImportValue is not supported/],
    ['a self-referencing condition', { 'Fn::If': ['Loop', 1, 2] }, /refers to itself/],
    ['an undefined condition', { 'Fn::If': ['Missing', 1, 2] }, /condition Missing is not defined/],
  ])('refuses %s with an IntrinsicError', (_name, input, message) => {
    expect(() => resolve(input)).toThrow(IntrinsicError);
    expect(() => resolve(input)).toThrow(message);
  });

  it('leaves an object with more than one key alone (not an intrinsic)', () => {
    expect(resolve({ Ref: 'Stage', Other: 1 })).toEqual({ Ref: 'Stage', Other: 1 });
  });
});

describe('referencesOf', () => {
  it('names the resources of Ref, GetAtt and Sub tokens but not Sub variables', () => {
    const refs = referencesOf({
      a: { Ref: 'Queue' },
      b: { 'Fn::GetAtt': 'Fn.Arn' },
      c: { 'Fn::Sub': ['${Topic.TopicArn}/${x}/${!Literal}', { x: { Ref: 'Bucket' } }] },
      d: [{ 'Fn::Join': ['', [{ Ref: 'Role' }]] }],
    });
    expect([...refs].sort()).toEqual(['Bucket', 'Fn', 'Queue', 'Role', 'Topic']);
  });
});
