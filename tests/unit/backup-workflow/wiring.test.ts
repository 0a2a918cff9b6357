/** The serverless wiring helpers of the backup workflow (no packaging run needed). */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { handlerPathOf, loadBackupDefinition, taskFunctionKeys } from '../../helpers/backup-asl.ts';

const require = createRequire(import.meta.url);
const { kmsStatements } = require('../../../serverless/iam-backup.cjs') as {
  kmsStatements: (policies: unknown[]) => { Resource: unknown; Condition?: unknown }[];
};
const { loadDefinition } = require('../../../serverless/backup-definition.cjs') as {
  loadDefinition: () => { States: Record<string, { Resource?: unknown }> };
};
const { cronBody } = require('../../../serverless/backup-resources.cjs') as {
  cronBody: (s: string) => string;
};

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

  it('schedules take the bare cron body', () => {
    expect(cronBody('cron(30  1 * * ? *)')).toBe('30 1 * * ? *');
    expect(cronBody('0 2 * * ? *')).toBe('0 2 * * ? *');
  });
});
