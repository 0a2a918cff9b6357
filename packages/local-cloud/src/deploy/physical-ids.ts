import { createHash } from 'node:crypto';
import type { ResolvedResource } from './intrinsics.ts';

/**
 * What each resource "is" once deployed locally: its Ref and its Fn::GetAtt attributes.
 * Locally these are predictable (names and ARNs follow from the template), so they are
 * computed before anything is created and the whole template resolves up front.
 */
export interface NamingContext {
  region: string;
  accountId: string;
  stackName: string;
  /** The local cloud's URL: queue URLs and Function URLs live under it. */
  endpoint: string;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Deterministic stand-in for CloudFormation's random suffix, so a re-deploy keeps the names. */
const suffix = (ctx: NamingContext, logicalId: string): string => {
  const digest = createHash('sha256').update(`${ctx.stackName}/${logicalId}`).digest();
  return [...digest.subarray(0, 12)].map((b) => B32[b % 32]).join('');
};

/** `<stack>-<LogicalId>-<SUFFIX>`, the shape CloudFormation gives unnamed resources. */
const generatedName = (ctx: NamingContext, logicalId: string, maxLength = 64): string => {
  const tail = `-${suffix(ctx, logicalId)}`;
  const head = `${ctx.stackName}-${logicalId}`.slice(0, maxLength - tail.length);
  return `${head}${tail}`;
};

/** The property that names a resource of each type (its physical name when given). */
export const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::Rule': 'Name',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::SSM::Parameter': 'Name',
};

export const physicalResource = (
  ctx: NamingContext,
  type: string,
  logicalId: string,
  /** The resolved name property, or undefined when the template leaves it to CloudFormation. */
  givenName: string | undefined,
  /** Resolved properties other resources' attributes depend on (a URL's target function, a schedule's group). */
  properties: { targetFunctionArn?: string; group?: string; functionArn?: string } = {},
): ResolvedResource => {
  const { region, accountId } = ctx;
  const name = givenName ?? generatedName(ctx, logicalId, type === 'AWS::SQS::Queue' ? 80 : 64);
  switch (type) {
    case 'AWS::Lambda::Function': {
      const arn = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
      return { ref: name, attributes: { Arn: arn } };
    }
    case 'AWS::Lambda::Version': {
      // Only $LATEST runs locally; the version ARN is what Ref would give on AWS for version 1.
      const fnArn = properties.functionArn ?? '';
      return { ref: `${fnArn}:1`, attributes: { Version: '1', FunctionArn: fnArn } };
    }
    case 'AWS::Lambda::Url': {
      const fnArn = properties.targetFunctionArn ?? '';
      const fnName = fnArn.split(':function:')[1]?.split(':')[0] ?? '';
      return {
        ref: fnArn,
        attributes: { FunctionArn: fnArn, FunctionUrl: `${ctx.endpoint}/_functionurl/${region}/${fnName}/` },
      };
    }
    case 'AWS::SQS::Queue': {
      const url = `${ctx.endpoint}/${accountId}/${name}`;
      return {
        ref: url,
        attributes: { Arn: `arn:aws:sqs:${region}:${accountId}:${name}`, QueueName: name, QueueUrl: url },
      };
    }
    case 'AWS::SNS::Topic': {
      const arn = `arn:aws:sns:${region}:${accountId}:${name}`;
      return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
    }
    case 'AWS::StepFunctions::StateMachine': {
      const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
      return { ref: arn, attributes: { Arn: arn, Name: name } };
    }
    case 'AWS::Events::Rule':
      return { ref: name, attributes: { Arn: `arn:aws:events:${region}:${accountId}:rule/${name}` } };
    case 'AWS::Scheduler::Schedule': {
      const group = properties.group ?? 'default';
      return {
        ref: name,
        attributes: { Arn: `arn:aws:scheduler:${region}:${accountId}:schedule/${group}/${name}` },
      };
    }
    case 'AWS::IAM::Role':
      return {
        ref: name,
        attributes: {
          Arn: `arn:aws:iam::${accountId}:role/${name}`,
          RoleId: `AROA${suffix(ctx, logicalId)}`,
        },
      };
    case 'AWS::IAM::ManagedPolicy':
      return { ref: `arn:aws:iam::${accountId}:policy/${name}`, attributes: {} };
    case 'AWS::Logs::LogGroup':
      return { ref: name, attributes: { Arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}:*` } };
    case 'AWS::S3::Bucket': {
      const bucket = givenName ?? name.toLowerCase();
      return {
        ref: bucket,
        attributes: {
          Arn: `arn:aws:s3:::${bucket}`,
          DomainName: `${bucket}.s3.amazonaws.com`,
          RegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        },
      };
    }
    case 'AWS::SSM::Parameter':
      // Ref is the parameter name; Type and Value are its attributes (CloudFormation reference).
      return { ref: name, attributes: {} };
    case 'AWS::CloudWatch::Alarm':
      return { ref: name, attributes: { Arn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}` } };
    default:
      return { ref: name, attributes: {} };
  }
};
