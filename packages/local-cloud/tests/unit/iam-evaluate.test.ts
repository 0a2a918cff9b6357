/**
 * The local IAM evaluator against the rules of the IAM User Guide:
 * - "Policy evaluation logic" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
 *   and "The difference between explicit and implicit denies"
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html);
 * - "IAM JSON policy elements: Condition operators"
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html);
 * - "Set operators for multivalued context keys"
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html);
 * - "IAM JSON policy elements: Action" / "…: Resource" (wildcards `*` and `?`; actions are case-insensitive).
 */
import { describe, expect, it } from 'vitest';
import { UnsupportedConditionOperator } from '../../src/iam/conditions.ts';
import { RequestContext } from '../../src/iam/context.ts';
import { type AuthorizationRequest, evaluate } from '../../src/iam/evaluate.ts';
import { parsePolicyDocument } from '../../src/iam/policy.ts';

const policy = (...Statement: unknown[]) => parsePolicyDocument({ Version: '2012-10-17', Statement });
const request = (
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): AuthorizationRequest => ({
  action,
  resource,
  context: new RequestContext(context),
});
const effect = (policies: ReturnType<typeof policy>[], r: AuthorizationRequest) =>
  evaluate(policies, r).effect;

const IMAGE = 'arn:aws:ec2:ap-south-1::image/ami-0123456789abcdef0';

describe('policy evaluation logic', () => {
  it('denies by default: no statement applies → implicit deny', () => {
    expect(effect([], request('ec2:DescribeImages', '*'))).toBe('ImplicitDeny');
    expect(
      effect(
        [policy({ Effect: 'Allow', Action: 'ec2:DescribeSnapshots', Resource: '*' })],
        request('ec2:DescribeImages', '*'),
      ),
    ).toBe('ImplicitDeny');
  });

  it('allows when an Allow statement applies', () => {
    expect(
      effect(
        [policy({ Effect: 'Allow', Action: ['ec2:DescribeImages'], Resource: '*' })],
        request('ec2:DescribeImages', '*'),
      ),
    ).toBe('Allow');
  });

  it('an explicit Deny wins over any Allow, in the same or another policy', () => {
    const allow = policy({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' });
    const deny = policy({ Effect: 'Deny', Action: 'ec2:DeregisterImage', Resource: IMAGE });
    expect(effect([allow, deny], request('ec2:DeregisterImage', IMAGE))).toBe('ExplicitDeny');
    expect(effect([allow, deny], request('ec2:DeregisterImage', IMAGE.replace('0123', '9999')))).toBe(
      'Allow',
    );
  });

  it('a Deny whose condition does not match does not apply', () => {
    const allow = policy({ Effect: 'Allow', Action: 'ec2:DeleteSnapshot', Resource: '*' });
    const deny = policy({
      Effect: 'Deny',
      Action: 'ec2:DeleteSnapshot',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:ResourceTag/shipyard:managed': 'true' } },
    });
    expect(
      effect(
        [allow, deny],
        request('ec2:DeleteSnapshot', '*', { 'aws:ResourceTag/shipyard:managed': 'true' }),
      ),
    ).toBe('Allow');
    expect(effect([allow, deny], request('ec2:DeleteSnapshot', '*'))).toBe('ExplicitDeny');
  });

  it('NotAction and NotResource match everything except what they list', () => {
    const p = policy({ Effect: 'Allow', NotAction: 'ec2:Delete*', NotResource: IMAGE });
    expect(effect([p], request('ec2:CopyImage', 'arn:aws:ec2:ap-south-1::image/ami-1'))).toBe('Allow');
    expect(effect([p], request('ec2:DeleteSnapshot', '*'))).toBe('ImplicitDeny');
    expect(effect([p], request('ec2:CopyImage', IMAGE))).toBe('ImplicitDeny');
  });
});

describe('Action and Resource wildcards', () => {
  it('matches action names case-insensitively, with * and ?', () => {
    const p = policy({
      Effect: 'Allow',
      Action: ['ec2:Describe*', 'kms:ReEncrypt*', 's3:?etObject'],
      Resource: '*',
    });
    expect(effect([p], request('ec2:DescribeImages', '*'))).toBe('Allow');
    expect(effect([p], request('EC2:describeimages', '*'))).toBe('Allow');
    expect(effect([p], request('kms:ReEncryptFrom', '*'))).toBe('Allow');
    expect(effect([p], request('s3:GetObject', '*'))).toBe('Allow');
    expect(effect([p], request('ec2:CopyImage', '*'))).toBe('ImplicitDeny');
  });

  it('matches resources case-sensitively; * spans any characters, including / and :', () => {
    const p = policy({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::runs-bucket/runs/*',
    });
    expect(effect([p], request('s3:GetObject', 'arn:aws:s3:::runs-bucket/runs/nightly/a:b.json'))).toBe(
      'Allow',
    );
    expect(effect([p], request('s3:GetObject', 'arn:aws:s3:::runs-bucket/Runs/x'))).toBe('ImplicitDeny');
    expect(effect([p], request('s3:GetObject', 'arn:aws:s3:::runs-bucket/verifications/x'))).toBe(
      'ImplicitDeny',
    );
    const regions = policy({ Effect: 'Allow', Action: 'ec2:CopyImage', Resource: 'arn:aws:ec2:*::image/*' });
    expect(effect([regions], request('ec2:CopyImage', 'arn:aws:ec2:us-west-1::image/*'))).toBe('Allow');
  });
});

describe('condition operators', () => {
  const allowIf = (Condition: unknown) => [
    policy({ Effect: 'Allow', Action: 'ec2:CopyImage', Resource: '*', Condition }),
  ];
  const check = (Condition: unknown, context: Record<string, string | string[]> = {}) =>
    effect(allowIf(Condition), request('ec2:CopyImage', '*', context));

  it('StringEquals is exact and case-sensitive; listed values are alternatives (OR)', () => {
    const c = { StringEquals: { 'ec2:CreateAction': ['RegisterImage', 'CreateImage'] } };
    expect(check(c, { 'ec2:CreateAction': 'CreateImage' })).toBe('Allow');
    expect(check(c, { 'ec2:CreateAction': 'createimage' })).toBe('ImplicitDeny');
    expect(check(c, { 'ec2:CreateAction': 'CopyImage' })).toBe('ImplicitDeny');
  });

  it('condition key names are case-insensitive', () => {
    expect(
      check(
        { StringEquals: { 'AWS:RequestTag/shipyard:managed': 'true' } },
        { 'aws:requesttag/shipyard:managed': 'true' },
      ),
    ).toBe('Allow');
  });

  it('a key absent from the request fails a positive operator and satisfies a negated one', () => {
    expect(check({ StringEquals: { 'aws:RequestTag/shipyard:managed': 'true' } })).toBe('ImplicitDeny');
    expect(check({ StringNotEquals: { 'aws:RequestTag/shipyard:managed': 'false' } })).toBe('Allow');
    expect(check({ StringNotLike: { 'aws:ResourceTag/Name': 'prod-*' } })).toBe('Allow');
  });

  it('…IfExists is true when the key is absent, and tests the value when present', () => {
    const c = { StringEqualsIfExists: { 'aws:RequestTag/shipyard:managed': 'true' } };
    expect(check(c)).toBe('Allow');
    expect(check(c, { 'aws:RequestTag/shipyard:managed': 'false' })).toBe('ImplicitDeny');
  });

  it('StringLike takes * and ? (kms:ViaService ec2.*.amazonaws.com)', () => {
    const c = { StringLike: { 'kms:ViaService': ['ec2.*.amazonaws.com', 'ec2.*.amazonaws.com.cn'] } };
    expect(check(c, { 'kms:ViaService': 'ec2.eu-west-1.amazonaws.com' })).toBe('Allow');
    expect(check(c, { 'kms:ViaService': 'ec2.cn-north-1.amazonaws.com.cn' })).toBe('Allow');
    expect(check(c, { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' })).toBe('ImplicitDeny');
    expect(check({ StringLike: { 's3:prefix': 'runs/*' } }, { 's3:prefix': 'verifications/x' })).toBe(
      'ImplicitDeny',
    );
  });

  it('Bool compares true/false (kms:GrantIsForAWSResource)', () => {
    const c = { Bool: { 'kms:GrantIsForAWSResource': 'true' } };
    expect(check(c, { 'kms:GrantIsForAWSResource': 'true' })).toBe('Allow');
    expect(check(c, { 'kms:GrantIsForAWSResource': 'false' })).toBe('ImplicitDeny');
    expect(check(c)).toBe('ImplicitDeny');
  });

  it('Null: "true" requires the key to be absent, "false" present', () => {
    expect(check({ Null: { 'aws:RequestTag/Owner': 'true' } })).toBe('Allow');
    expect(check({ Null: { 'aws:RequestTag/Owner': 'true' } }, { 'aws:RequestTag/Owner': 'me' })).toBe(
      'ImplicitDeny',
    );
    expect(check({ Null: { 'aws:RequestTag/Owner': 'false' } }, { 'aws:RequestTag/Owner': 'me' })).toBe(
      'Allow',
    );
    expect(check({ Null: { 'aws:RequestTag/Owner': 'false' } })).toBe('ImplicitDeny');
  });

  it('every operator and every key of a Condition block must hold (AND)', () => {
    const c = {
      StringEquals: { 'aws:RequestTag/shipyard:managed': 'true', 'ec2:CreateAction': 'CopyImage' },
      StringLike: { 'aws:RequestedRegion': 'eu-*' },
    };
    const all = {
      'aws:RequestTag/shipyard:managed': 'true',
      'ec2:CreateAction': 'CopyImage',
      'aws:RequestedRegion': 'eu-west-1',
    };
    expect(check(c, all)).toBe('Allow');
    expect(check(c, { ...all, 'aws:RequestedRegion': 'us-west-1' })).toBe('ImplicitDeny');
    expect(check(c, { ...all, 'ec2:CreateAction': 'CreateImage' })).toBe('ImplicitDeny');
  });

  it('Numeric and Date operators compare numbers and times', () => {
    expect(check({ NumericLessThanEquals: { 's3:max-keys': '1000' } }, { 's3:max-keys': '10' })).toBe(
      'Allow',
    );
    expect(check({ NumericLessThanEquals: { 's3:max-keys': '1000' } }, { 's3:max-keys': '1001' })).toBe(
      'ImplicitDeny',
    );
    expect(
      check(
        { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } },
        { 'aws:CurrentTime': '2026-12-02T00:00:00Z' },
      ),
    ).toBe('Allow');
  });

  it('ArnLike matches segment by segment', () => {
    const c = { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/shipyard-*' } };
    expect(
      check(c, { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/shipyard-dev-backupCopyImage' }),
    ).toBe('Allow');
    expect(check(c, { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:user/shipyard-dev' })).toBe(
      'ImplicitDeny',
    );
  });

  it('an operator it does not implement fails loudly instead of guessing', () => {
    expect(() => check({ StringMatchesRegex: { 'aws:RequestedRegion': '.*' } })).toThrow(
      UnsupportedConditionOperator,
    );
  });
});

describe('set operators for multivalued keys (aws:TagKeys, kms:ResourceAliases)', () => {
  const allowIf = (Condition: unknown) => [
    policy({ Effect: 'Allow', Action: 'ec2:CreateTags', Resource: '*', Condition }),
  ];
  const check = (Condition: unknown, context: Record<string, string | string[]> = {}) =>
    effect(allowIf(Condition), request('ec2:CreateTags', '*', context));

  it('ForAllValues: every request value must be listed; an absent or empty key is true', () => {
    const c = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['shipyard:managed', 'shipyard:policy'] } };
    expect(check(c, { 'aws:TagKeys': ['shipyard:managed'] })).toBe('Allow');
    expect(check(c, { 'aws:TagKeys': ['shipyard:managed', 'Owner'] })).toBe('ImplicitDeny');
    expect(check(c)).toBe('Allow');
    expect(check(c, { 'aws:TagKeys': [] })).toBe('Allow');
  });

  it('ForAnyValue: at least one request value must be listed; an absent key is false', () => {
    const c = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/aws/ebs'] } };
    expect(check(c, { 'kms:ResourceAliases': ['alias/other', 'alias/aws/ebs'] })).toBe('Allow');
    expect(check(c, { 'kms:ResourceAliases': ['alias/other'] })).toBe('ImplicitDeny');
    expect(check(c)).toBe('ImplicitDeny');
  });
});

describe('policy documents', () => {
  it('accept a single statement or a list, and strings or lists of strings', () => {
    const doc = parsePolicyDocument({
      Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    });
    expect(doc.statements).toHaveLength(1);
    expect(doc.statements[0]?.Action).toEqual(['s3:GetObject']);
  });

  it('reject a statement with both Action and NotAction, naming the rule', () => {
    expect(() =>
      parsePolicyDocument({
        Statement: [{ Effect: 'Allow', Action: 'a:b', NotAction: 'a:c', Resource: '*' }],
      }),
    ).toThrow(/exactly one of Action and NotAction/);
  });
});
