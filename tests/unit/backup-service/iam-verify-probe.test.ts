/**
 * The IAM of the verification's HTTP probe and of the drill's target-health read. Source: SSM User Guide, "Restricting Run Command
 * access based on tags" (`ssm:resourceTag/<key>` on `arn:…:ec2:…:instance/*`) and the Service
 * Authorization Reference for Systems Manager (SendCommand on document and instance resources;
 * AWS-owned documents have no account in their ARN).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { drillTargetHealthStatements, verifyProbeStatements } =
  require('../../../serverless/iam-backup.cjs') as {
    drillTargetHealthStatements: (drills: unknown[]) => { Action: string[]; Resource: unknown }[];
    verifyProbeStatements: (
      policies: unknown[],
    ) => { Sid?: string; Action: string[]; Resource: unknown; Condition?: unknown }[];
  };

const region = (name: string) => ({
  region: name,
  subnetId: 'subnet-0a1b2c3d',
  securityGroupId: 'sg-0a1b2c3d',
});

describe('verifyProbeStatements', () => {
  it('allows SendCommand only with AWS-RunShellScript and only on verification-tagged instances of the probing regions', () => {
    const statements = verifyProbeStatements([
      {
        name: 'a',
        verify: { regions: [region('ap-south-1'), region('us-west-1')], httpProbe: { port: 8080 } },
      },
      { name: 'b', verify: { regions: [region('eu-west-1')] } },
      { name: 'c' },
    ]);
    expect(statements).toEqual([
      {
        Sid: 'VerifyProbeDocument',
        Effect: 'Allow',
        Action: ['ssm:SendCommand'],
        Resource: [
          { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:ap-south-1::document/AWS-RunShellScript` },
          { 'Fn::Sub': `arn:\${AWS::Partition}:ssm:us-west-1::document/AWS-RunShellScript` },
        ],
      },
      {
        Sid: 'VerifyProbeInstances',
        Effect: 'Allow',
        Action: ['ssm:SendCommand'],
        Resource: [
          { 'Fn::Sub': `arn:\${AWS::Partition}:ec2:ap-south-1:\${AWS::AccountId}:instance/*` },
          { 'Fn::Sub': `arn:\${AWS::Partition}:ec2:us-west-1:\${AWS::AccountId}:instance/*` },
        ],
        Condition: {
          StringEquals: {
            'ssm:resourceTag/shipyard:managed': 'true',
            'ssm:resourceTag/shipyard:kind': 'verification',
          },
        },
      },
      { Effect: 'Allow', Action: ['ssm:GetCommandInvocation'], Resource: '*' },
    ]);
  });

  it('grants nothing when no policy probes', () => {
    expect(verifyProbeStatements([{ name: 'b', verify: { regions: [region('eu-west-1')] } }])).toEqual([]);
  });
});

describe('drillTargetHealthStatements', () => {
  it('allows the two ELBv2 Describe actions only when a drill is configured', () => {
    expect(drillTargetHealthStatements([])).toEqual([]);
    expect(drillTargetHealthStatements([{ name: 'web' }])).toEqual([
      {
        Sid: 'DrillTargetHealth',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
        Resource: '*',
      },
    ]);
  });
});
