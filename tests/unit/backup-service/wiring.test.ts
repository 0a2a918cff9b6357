/** The serverless wiring helpers of the backup workflow (no packaging run needed). */

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { handlerPathOf, loadBackupDefinition, taskFunctionKeys } from '../../helpers/backup-asl.ts';

const require = createRequire(import.meta.url);
interface Statement {
  Sid?: string;
  Action: string[];
  Resource: unknown;
  Condition?: unknown;
}
const { kmsStatements, sourceKeyStatements, shareImageKmsStatements } =
  require('../../../serverless/iam-backup.cjs') as Record<
    'kmsStatements' | 'sourceKeyStatements' | 'shareImageKmsStatements',
    (policies: unknown[]) => Statement[]
  >;
const { loadDefinition } = require('../../../serverless/backup-definition.cjs') as {
  loadDefinition: () => { States: Record<string, { Resource?: unknown }> };
};
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const { resources } = require('../../../serverless/backup-resources.cjs') as {
  resources: (context: { resolveVariable: (v: string) => Promise<string> }) => Promise<Resources>;
};
/** What serverless passes a resolver: the stage and the config file of the stage. */
const contextFor = (configFile: string) => ({
  resolveVariable: async (variable: string) => (variable === 'sls:stage' ? 'dev' : configFile),
});
const configFile = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'shipyard-wiring-')), 'shipyard.yml');
  writeFileSync(file, text);
  return file;
};
const POLICY = `backupPolicies:
  - name: month-end
    schedule: { cron: "cron(30  1 LW * ? *)", timeZone: Europe/Berlin }
    sourceRegion: eu-west-1
    targets: { tags: { Backup: month-end } }
    retention: { keepLast: 3 }
`;

describe('backup wiring', () => {
  it('every Task resolves to Fn::GetAtt of a function whose handler file exists', () => {
    const keys = taskFunctionKeys(loadBackupDefinition());
    for (const key of keys.values()) expect(existsSync(handlerPathOf(key)), key).toBe(true);
    expect(loadDefinition().States.DiscoverTargets?.Resource).toEqual({
      'Fn::GetAtt': ['backupDiscoverTargets', 'Arn'],
    });
  });

  it('KMS permissions name exactly the configured keys (key ARNs as resources, aliases by condition)', () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const statements = kmsStatements([
      {
        copyRegions: [
          { region: 'us-east-1', kmsKeyId: key },
          { region: 'eu-west-1', kmsKeyId: 'alias/backups' },
          { region: 'ap-south-1' },
        ],
      },
    ]);
    expect(statements).toHaveLength(2);
    expect(statements[0]?.Resource).toEqual([key]);
    expect(statements[1]?.Condition).toEqual({
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/backups'] },
    });
    expect(kmsStatements([{ copyRegions: [{ region: 'us-east-1' }] }])).toEqual([]);
  });

  // Amazon EBS User Guide, "Requirements for Amazon EBS encryption"
  // (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html): using a
  // KMS key for EBS needs kms:CreateGrant, Decrypt, DescribeKey, GenerateDataKeyWithoutPlainText
  // and ReEncrypt, CreateGrant best limited by kms:GrantIsForAWSResource. Copying a snapshot
  // reads it with its (source) key; KMS Developer Guide, "kms:ViaService"
  // (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service):
  // the key is used only through EC2.
  it('grants the source keys to CopyImage: read and re-encrypt through EC2, grants only for AWS resources', () => {
    const key = 'arn:aws:kms:ap-south-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const policy = {
      sourceRegion: 'ap-south-1',
      sourceKmsKeys: [key, 'alias/fleet'],
      copyRegions: [{ region: 'eu-west-1' }],
    };
    const statements = sourceKeyStatements([policy]);
    const viaEc2 = { StringLike: { 'kms:ViaService': ['ec2.*.amazonaws.com', 'ec2.*.amazonaws.com.cn'] } };
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncrypt*'],
        Resource: [key],
        Condition: viaEc2,
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncrypt*'],
        Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:kms:ap-south-1:\${AWS::AccountId}:key/*` },
        Condition: { ...viaEc2, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/fleet'] } },
      },
      {
        Effect: 'Allow',
        Action: ['kms:CreateGrant'],
        Resource: [key],
        Condition: { ...viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      {
        Effect: 'Allow',
        Action: ['kms:CreateGrant'],
        Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:kms:ap-south-1:\${AWS::AccountId}:key/*` },
        Condition: {
          ...viaEc2,
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/fleet'] },
        },
      },
    ]);
    // A policy that copies nowhere never decrypts its source snapshots.
    expect(sourceKeyStatements([{ ...policy, copyRegions: [] }])).toEqual([]);
  });

  // KMS API Reference, DescribeKey / KeyMetadata.KeyManager ("AWS" | "CUSTOMER"): ShareImage asks
  // KMS whether a snapshot's key ARN is the AWS managed aws/ebs key.
  it('lets ShareImage describe the configured keys and aws/ebs of its regions, only for policies that share', () => {
    const copyKey = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const sharing = {
      sourceRegion: 'ap-south-1',
      sourceKmsKeys: ['alias/fleet'],
      copyRegions: [{ region: 'eu-west-1', kmsKeyId: copyKey }],
      share: { accountIds: ['210987654321'], public: false },
    };
    const statements = shareImageKmsStatements([sharing, { ...sharing, share: { public: false } }]);
    expect(statements.every((s) => s.Action.length === 1 && s.Action[0] === 'kms:DescribeKey')).toBe(true);
    expect(statements.map((s) => [s.Resource, s.Condition])).toEqual([
      [[copyKey], undefined],
      [
        { 'Fn::Sub': `arn:\${AWS::Partition}:kms:ap-south-1:\${AWS::AccountId}:key/*` },
        { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/fleet'] } },
      ],
      [
        { 'Fn::Sub': `arn:\${AWS::Partition}:kms:ap-south-1:\${AWS::AccountId}:key/*` },
        { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/aws/ebs'] } },
      ],
      [
        { 'Fn::Sub': `arn:\${AWS::Partition}:kms:eu-west-1:\${AWS::AccountId}:key/*` },
        { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/aws/ebs'] } },
      ],
    ]);
    expect(shareImageKmsStatements([{ ...sharing, share: { public: false } }])).toEqual([]);
  });

  it('schedules are built from the parsed config: the cron normalised, its defaults filled', async () => {
    // Act
    const built = await resources(contextFor(configFile(POLICY)));
    // Assess
    expect(built.BackupScheduleMonthEnd?.Properties).toMatchObject({
      Name: 'shipyard-dev-backup-month-end',
      ScheduleExpression: 'cron(30 1 LW * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    });
  });

  it('a config that validate refuses fails the resources with the same message', async () => {
    // Prepare: a cron that fires four times a day
    const file = configFile(POLICY.replace('cron(30  1 LW * ? *)', '0 */6 * * ? *'));
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    vi.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    // Act / Assess: packaging stops with exit 2 after printing the problems once
    await expect(resources(contextFor(file))).rejects.toThrow('exit 2');
    vi.restoreAllMocks();
    expect(written.join('')).toMatch(
      /backupPolicies\[0\]\.schedule\.cron: cron: fires 4 times a day, expected at most once a day/,
    );
  });
});
