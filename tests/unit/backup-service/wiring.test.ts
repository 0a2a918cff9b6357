/** The serverless wiring helpers of the backup workflow (no packaging run needed). */

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { handlerPathOf, loadBackupDefinition, taskFunctionKeys } from '../../helpers/backup-asl.ts';

const require = createRequire(import.meta.url);
const { kmsStatements } = require('../../../serverless/iam-backup.cjs') as {
  kmsStatements: (policies: unknown[]) => { Resource: unknown; Condition?: unknown }[];
};
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
