import { describe, expect, it } from 'vitest';
import {
  backupPolicySchema,
  parseBackupPolicies,
  scheduleExpression,
} from '../../../shared/config/policies.ts';

const KEY_EU_WEST_2 = 'arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const valid = () => ({
  name: 'nightly',
  schedule: { cron: '0 2 * * ? *', timeZone: 'Europe/Berlin' },
  sourceRegion: 'eu-west-1',
  targets: {
    instanceIds: ['i-0123456789abcdef0'],
    volumeIds: ['vol-0123456789abcdef0'],
    tags: { Backup: 'nightly' },
    instanceOptions: { 'i-0123456789abcdef0': { excludeDataVolumeIds: ['vol-0fedcba9876543210'] } },
  },
  copyRegions: [
    { region: 'eu-west-2', kmsKeyId: KEY_EU_WEST_2, retention: { keepLast: 3 } },
    { region: 'us-east-1', kmsKeyId: 'alias/backups' },
  ],
  share: {
    accountIds: ['210987654321'],
    organizationArns: ['arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5'],
  },
  retention: { keepLast: 7, gfs: { weekly: 4, monthly: 6 } },
});

describe('backup policy schema', () => {
  it('accepts a full policy and fills the defaults', () => {
    // Act
    const policy = backupPolicySchema.parse(valid());
    // Assess
    expect(policy.maxDeletesPerRun).toBe(20);
    expect(policy.maxConcurrency).toBe(1_000);
    expect(policy.maxTargetsPerRun).toBe(10_000);
    expect(policy.targetDeadlineHours).toBe(20);
    expect(policy.copyConcurrency).toBe(5);
    expect(policy.share.public).toBe(false);
    expect(scheduleExpression(policy)).toBe('cron(0 2 * * ? *)');
  });

  it('defaults share to private and copyRegions to none', () => {
    const { share: _share, copyRegions: _copies, ...minimal } = valid();
    const policy = backupPolicySchema.parse(minimal);
    expect(policy.share).toEqual({ public: false });
    expect(policy.copyRegions).toEqual([]);
  });

  it('accepts the cron(...) wrapper and normalizes it', () => {
    const policy = backupPolicySchema.parse({
      ...valid(),
      schedule: { cron: 'cron(30  1 ? * MON-FRI *)', timeZone: 'UTC' },
    });
    expect(policy.schedule.cron).toBe('30 1 ? * MON-FRI *');
  });

  type Mutate = (p: ReturnType<typeof valid>) => unknown;
  it.each<{ name: string; mutate: Mutate; path: string; message: RegExp }>([
    {
      name: 'unknown key (typo)',
      mutate: (p) => ({ ...p, retenton: { keepLast: 1 } }),
      path: '[0]',
      message: /retenton/,
    },
    {
      name: 'typo inside retention',
      mutate: (p) => ({ ...p, retention: { keepLast: 1, maxAgeDay: 3 } }),
      path: '[0].retention',
      message: /maxAgeDay/,
    },
    {
      name: 'copy region equal to source region',
      mutate: (p) => ({ ...p, copyRegions: [{ region: 'eu-west-1' }] }),
      path: '[0].copyRegions[0].region',
      message: /is the source region/,
    },
    {
      name: 'duplicate copy region',
      mutate: (p) => ({ ...p, copyRegions: [{ region: 'us-east-1' }, { region: 'us-east-1' }] }),
      path: '[0].copyRegions[1].region',
      message: /duplicate copy region us-east-1/,
    },
    {
      name: 'invalid region name',
      mutate: (p) => ({ ...p, sourceRegion: 'eu-west' }),
      path: '[0].sourceRegion',
      message: /not an AWS region/,
    },
    {
      name: 'invalid copy region name',
      mutate: (p) => ({ ...p, copyRegions: [{ region: 'europe-1' }] }),
      path: '[0].copyRegions[0].region',
      message: /not an AWS region/,
    },
    {
      name: 'malformed KMS ARN',
      mutate: (p) => ({
        ...p,
        copyRegions: [{ region: 'eu-west-2', kmsKeyId: 'arn:aws:kms:eu-west-2:12345:key/abc' }],
      }),
      path: '[0].copyRegions[0].kmsKeyId',
      message: /KMS key ARN/,
    },
    {
      name: 'KMS key from another region',
      mutate: (p) => ({ ...p, copyRegions: [{ region: 'us-east-1', kmsKeyId: KEY_EU_WEST_2 }] }),
      path: '[0].copyRegions[0].kmsKeyId',
      message: /KMS key is in eu-west-2/,
    },
    {
      name: 'AWS managed key with cross-account sharing',
      mutate: (p) => ({ ...p, copyRegions: [{ region: 'us-east-1', kmsKeyId: 'alias/aws/ebs' }] }),
      path: '[0].copyRegions[0].kmsKeyId',
      message: /cannot be shared/,
    },
    {
      name: 'account id with 11 digits',
      mutate: (p) => ({ ...p, share: { accountIds: ['21098765432'] } }),
      path: '[0].share.accountIds[0]',
      message: /12 digits/,
    },
    {
      name: 'duplicate account id',
      mutate: (p) => ({ ...p, share: { accountIds: ['210987654321', '210987654321'] } }),
      path: '[0].share.accountIds[1]',
      message: /duplicate account id/,
    },
    {
      name: 'bad organization ARN',
      mutate: (p) => ({ ...p, share: { organizationArns: ['o-a1b2c3d4e5'] } }),
      path: '[0].share.organizationArns[0]',
      message: /organization ARN/,
    },
    {
      name: 'public as a string',
      mutate: (p) => ({ ...p, share: { public: 'yes' } }),
      path: '[0].share.public',
      message: /boolean/,
    },
    {
      name: 'retention that keeps nothing',
      mutate: (p) => ({ ...p, retention: { keepLast: 0, gfs: { daily: 0 } } }),
      path: '[0].retention',
      message: /keeps nothing/,
    },
    {
      name: 'empty retention',
      mutate: (p) => ({ ...p, retention: {} }),
      path: '[0].retention',
      message: /keeps nothing/,
    },
    {
      name: 'copy retention override that keeps nothing',
      mutate: (p) => ({ ...p, copyRegions: [{ region: 'us-east-1', retention: { keepLast: 0 } }] }),
      path: '[0].copyRegions[0].retention',
      message: /keeps nothing/,
    },
    {
      name: 'invalid time zone',
      mutate: (p) => ({ ...p, schedule: { ...p.schedule, timeZone: 'Europe/Berlim' } }),
      path: '[0].schedule.timeZone',
      message: /IANA time zone/,
    },
    {
      name: 'UTC offset instead of a zone',
      mutate: (p) => ({ ...p, schedule: { ...p.schedule, timeZone: 'GMT+2' } }),
      path: '[0].schedule.timeZone',
      message: /IANA time zone/,
    },
    {
      name: 'five-field (Unix) cron',
      mutate: (p) => ({ ...p, schedule: { ...p.schedule, cron: '0 2 * * *' } }),
      path: '[0].schedule.cron',
      message: /expected 6 fields/,
    },
    {
      name: 'no targets',
      mutate: (p) => ({ ...p, targets: { instanceIds: [] } }),
      path: '[0].targets',
      message: /at least one target/,
    },
    {
      name: 'malformed instance id',
      mutate: (p) => ({ ...p, targets: { instanceIds: ['i-123'] } }),
      path: '[0].targets.instanceIds[0]',
      message: /instance id/,
    },
    {
      name: 'duplicate volume id',
      mutate: (p) => ({ ...p, targets: { volumeIds: ['vol-0123456789abcdef0', 'vol-0123456789abcdef0'] } }),
      path: '[0].targets.volumeIds[1]',
      message: /duplicate/,
    },
    {
      name: 'malformed excluded volume id',
      mutate: (p) => ({
        ...p,
        targets: {
          tags: { a: 'b' },
          instanceOptions: { 'i-0123456789abcdef0': { excludeDataVolumeIds: ['sdf'] } },
        },
      }),
      path: '[0].targets.instanceOptions.i-0123456789abcdef0.excludeDataVolumeIds[0]',
      message: /volume id/,
    },
    {
      name: 'policy name not a slug',
      mutate: (p) => ({ ...p, name: 'Nightly Backup' }),
      path: '[0].name',
      message: /slug/,
    },
    {
      name: 'maxConcurrency 0',
      mutate: (p) => ({ ...p, maxConcurrency: 0 }),
      path: '[0].maxConcurrency',
      message: /at least 1 target at a time/,
    },
  ])('rejects $name at $path', ({ mutate, path, message }) => {
    // Act
    const result = parseBackupPolicies([mutate(valid())]);
    // Assess
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    const issue = issues.find((i) => i.startsWith(`${path}: `));
    expect(issue, issues.join('\n')).toBeDefined();
    expect(issue).toMatch(message);
  });

  it('lists every problem at once', () => {
    const result = parseBackupPolicies([
      {
        ...valid(),
        sourceRegion: 'eu-west',
        share: { accountIds: ['1'] },
        schedule: { cron: '0 2 * * ? *', timeZone: 'Nowhere' },
      },
    ]);
    expect(result.ok ? [] : result.issues.map((i) => i.split(':')[0])).toEqual([
      '[0].schedule.timeZone',
      '[0].sourceRegion',
      '[0].share.accountIds[0]',
    ]);
  });

  it('rejects duplicate policy names', () => {
    const result = parseBackupPolicies([valid(), valid()]);
    expect(result).toEqual({ ok: false, issues: ['[1].name: duplicate policy name nightly'] });
  });
});

describe('state-size bounds of a policy', () => {
  it('refuses a maxDeletesPerRun above 20 and says why', () => {
    const result = parseBackupPolicies([{ ...valid(), maxDeletesPerRun: 21 }]);
    expect(result).toEqual({
      ok: false,
      issues: [expect.stringMatching(/^\[0\]\.maxDeletesPerRun: at most 20 per target and region .*256 KiB/)],
    });
    expect(backupPolicySchema.parse({ ...valid(), maxDeletesPerRun: 20 }).maxDeletesPerRun).toBe(20);
  });
});
