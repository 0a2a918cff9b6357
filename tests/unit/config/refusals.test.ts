/**
 * What `config validate` (and packaging) refuses and warns about, each with the field's path
 * and what was expected. Sources of the AWS rules:
 * - cron syntax and Scheduler's daylight-saving rule: see packages/aws-cron/tests/scheduler-cron.test.ts;
 * - public AMIs: EC2 User Guide "Make your AMI publicly available" (an AMI with encrypted
 *   volumes or snapshots of encrypted volumes cannot be made public);
 * - partitions: AWS-FACTS.md "Partitions" (CopyImage does not cross partitions); Region codes:
 *   the AWS Regions page and botocore's endpoints model (shared/config/regions.ts, of 2026-12);
 * - default root object: CloudFront API reference, DistributionConfig.DefaultRootObject ("Your
 *   string can't begin with a forward slash (/)");
 * - branch names: git check-ref-format.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, type ConfigProblem } from '../../../shared/config/errors.ts';
import { validateConfigText } from '../../../shared/config/review.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';

const site = (over: Record<string, unknown> = {}) => ({
  name: 'web',
  bucket: 'web-bucket',
  distributionIds: ['E2QWRUHAPOMQZL'],
  ...over,
});
const policy = (over: Record<string, unknown> = {}) => ({
  name: 'nightly',
  schedule: { cron: '0 2 * * ? *', timeZone: 'Asia/Kolkata' },
  sourceRegion: 'ap-south-1',
  targets: { tags: { Backup: 'nightly' } },
  retention: { keepLast: 3 },
  ...over,
});
const yamlOf = (sites: unknown[], backupPolicies: unknown[] = [policy()]) =>
  stringify({ sites, backupPolicies });

const problemsOf = (text: string): ConfigProblem[] => {
  try {
    validateConfigText(text, 'shipyard.yml', NOW);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be refused');
};
const warningsOf = (text: string) => validateConfigText(text, 'shipyard.yml', NOW).warnings;

describe('config refusals (each names the field and what was expected)', () => {
  it.each([
    [
      'a cron that never fires (30 February)',
      yamlOf([site()], [policy({ schedule: { cron: '0 2 30 2 ? *', timeZone: 'UTC' } })]),
      'backupPolicies[0].schedule.cron',
      /^cron: never fires: no date from 1970 to 2199 matches/,
    ],
    [
      'a sub-daily cron, with the reason',
      yamlOf([site()], [policy({ schedule: { cron: '0 */6 * * ? *', timeZone: 'UTC' } })]),
      'backupPolicies[0].schedule.cron',
      /^cron: fires 4 times a day, expected at most once a day: scheduled runs are named <policy>-<local date>, so every run after the first on a day would be refused as already started and lost$/,
    ],
    [
      'a cron whose last year has passed',
      yamlOf([site()], [policy({ schedule: { cron: '0 2 * * ? 2020-2025', timeZone: 'UTC' } })]),
      'backupPolicies[0].schedule.cron',
      /^cron: fires no more after 2026-12-01 in UTC: expected a schedule with runs to come/,
    ],
    [
      'a malformed cron field',
      yamlOf([site()], [policy({ schedule: { cron: '0 2 ? * 1/2 *', timeZone: 'UTC' } })]),
      'backupPolicies[0].schedule.cron',
      /^cron: day-of-week: invalid value '1\/2' \(expected 1-7 or SUN-SAT/,
    ],
    [
      'public sharing of AMIs whose copies are encrypted',
      yamlOf(
        [site()],
        [policy({ copyRegions: [{ region: 'eu-west-1', kmsKeyId: KEY }], share: { public: true } })],
      ),
      'backupPolicies[0].share.public',
      /^AMIs with encrypted snapshots cannot be made public, and copyRegions\[0\]\.kmsKeyId encrypts the copies: expected share\.public false/,
    ],
    [
      'a copy region of another partition',
      yamlOf([site()], [policy({ sourceRegion: 'us-east-1', copyRegions: [{ region: 'cn-north-1' }] })]),
      'backupPolicies[0].copyRegions[0].region',
      /^copy region cn-north-1 is in partition aws-cn, the source region us-east-1 in aws: CopyImage does not copy across partitions$/,
    ],
    // Amazon EBS User Guide, "Requirements for Amazon EBS encryption": the source snapshots
    // are read with their own key, which lives in their region.
    [
      'a source KMS key of another region',
      yamlOf([site()], [policy({ sourceKmsKeys: [KEY] })]),
      'backupPolicies[0].sourceKmsKeys[0]',
      /^KMS key is in eu-west-1, but the source snapshots are in the source region ap-south-1$/,
    ],
    [
      'a source KMS key that is not a key',
      yamlOf([site()], [policy({ sourceKmsKeys: ['key/1234'] })]),
      'backupPolicies[0].sourceKmsKeys[0]',
      /^must be a KMS key ARN \(arn:aws:kms:<region>:<account>:key\/<id>\), an alias ARN or alias\/<name>$/,
    ],
    [
      'a source KMS key listed twice',
      yamlOf([site()], [policy({ sourceKmsKeys: ['alias/fleet', 'alias/fleet'] })]),
      'backupPolicies[0].sourceKmsKeys[1]',
      /^duplicate key alias\/fleet \(also sourceKmsKeys\[0\]\)$/,
    ],
    // EC2 User Guide, "Share an AMI with specific AWS accounts": "You can't share AMIs that are
    // backed by snapshots that are encrypted with the default AWS managed key."
    [
      'aws/ebs as the source key of a policy that shares with accounts',
      yamlOf(
        [site()],
        [policy({ sourceKmsKeys: ['alias/aws/ebs'], share: { accountIds: ['210987654321'] } })],
      ),
      'backupPolicies[0].sourceKmsKeys[0]',
      /^AMIs whose snapshots are encrypted with the AWS managed key alias\/aws\/ebs cannot be shared with other accounts: re-encrypt the volumes with a customer managed key/,
    ],
    // ARN format (AWS General Reference, "Amazon Resource Names"): arn:<partition>:…; China
    // Regions are in aws-cn.
    [
      'a KMS key ARN of the wrong partition',
      yamlOf(
        [site()],
        [
          policy({
            sourceRegion: 'cn-north-1',
            sourceKmsKeys: ['arn:aws:kms:cn-north-1:123456789012:key/11111111-2222-3333-4444-555555555555'],
          }),
        ],
      ),
      'backupPolicies[0].sourceKmsKeys[0]',
      /^KMS key ARN is in partition aws, but cn-north-1 is in aws-cn: expected arn:aws-cn:kms:…$/,
    ],
    // AWS General Reference, "Amazon Resource Names" / IAM: credentials of one partition are
    // not valid in another, so one stack's roles reach one partition's Regions only.
    [
      'policies in two partitions',
      yamlOf([site()], [policy(), policy({ name: 'china', sourceRegion: 'cn-north-1' })]),
      'backupPolicies[1].sourceRegion',
      /^source region cn-north-1 is in partition aws-cn, backupPolicies\[0\]'s ap-south-1 in aws: one deployment works in one partition/,
    ],
    [
      'a region that does not exist',
      yamlOf([site()], [policy({ copyRegions: [{ region: 'eu-west-9' }] })]),
      'backupPolicies[0].copyRegions[0].region',
      /^not an AWS region: eu-west-9 is not in Shipyard's region list \(of 2026-12; e\.g\. eu-west-1\)$/,
    ],
    [
      '".." in a key prefix',
      yamlOf([site({ keyPrefix: 'site/../other/' })]),
      'sites[0].keyPrefix',
      /^must not contain "\.\." as a path segment$/,
    ],
    [
      '".." in an index document',
      yamlOf([site({ indexDocument: '../index.html' })]),
      'sites[0].indexDocument',
      /^must not contain "\.\." as a path segment$/,
    ],
    [
      'a default root object with a leading /',
      yamlOf([site({ defaultRootObject: '/index.html' })]),
      'sites[0].defaultRootObject',
      /^expected an object name such as "index\.html", without a leading "\/"$/,
    ],
    [
      'a distribution id listed by two sites',
      yamlOf([site(), site({ name: 'docs', bucket: 'docs-bucket' })]),
      'sites[1].distributionIds[0]',
      /^distribution E2QWRUHAPOMQZL is already listed at sites\[0\]\.distributionIds\[0\]: expected each distribution id once/,
    ],
    [
      'no wildcard rounds',
      yamlOf([site({ invalidation: { wildcardRounds: 0 } })]),
      'sites[0].invalidation.wildcardRounds',
      /^expected at least 1 round \(1: every wildcard of a deploy at once\)$/,
    ],
    [
      'more wildcard rounds than allowed',
      yamlOf([site({ invalidation: { wildcardRounds: 11 } })]),
      'sites[0].invalidation.wildcardRounds',
      /^expected at most 10 rounds: each one waits for the previous invalidations to complete$/,
    ],
    [
      'a control character in a branch name',
      yamlOf([site({ repo: { fullName: 'example/web', branch: 'main\u0007' } })]),
      'sites[0].repo.branch',
      /^a git branch name cannot contain control characters$/,
    ],
  ])('refuses %s', (_what, text, path, message) => {
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toContainEqual(
      expect.objectContaining({ path, message: expect.stringMatching(message) }),
    );
    expect(problems.find((p) => p.path === path)?.line).toBeGreaterThan(0);
  });

  it('accepts the AWS forms it used to disagree on (LW, n#k, nL, names)', () => {
    for (const cron of ['0 2 LW * ? *', '0 2 ? * MON#1 *', '0 2 ? * 6L *', '0 2 ? JAN-JUN MON-FRI *']) {
      const text = yamlOf([site()], [policy({ schedule: { cron, timeZone: 'UTC' } })]);
      expect(validateConfigText(text, 'shipyard.yml', NOW).config.backupPolicies[0]?.schedule.cron).toBe(
        cron,
      );
    }
  });

  it('reports a YAML alias bomb as a config problem with its line', () => {
    // Prepare: 9 levels of 10 aliases each expand to 10^9 nodes
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    // Act
    const problems = problemsOf(lines.join('\n'));
    // Assess
    expect(problems).toEqual([
      expect.objectContaining({
        path: '',
        line: 2,
        message: expect.stringMatching(/^YAML aliases expand to too many nodes/),
      }),
    ]);
  });
});

describe('config warnings (valid, exit 0, printed)', () => {
  it('has none for a plain config', () => {
    expect(warningsOf(yamlOf([site()]))).toEqual([]);
  });

  it('warns when two sites claim the same objects (same bucket, overlapping key prefix)', () => {
    const text = yamlOf([
      site({ keyPrefix: 'site/' }),
      site({ name: 'blog', keyPrefix: 'site/blog/', distributionIds: ['E1DOCS0000000A'] }),
      site({ name: 'other', keyPrefix: 'other/', distributionIds: ['E1DOCS0000000B'] }),
    ]);
    expect(warningsOf(text)).toEqual([
      expect.objectContaining({
        path: 'sites[1].keyPrefix',
        message:
          'claims the same objects as sites[0] (web): both use bucket web-bucket and key prefix "site/blog/" overlaps "site/", so a change there is invalidated by both sites',
      }),
    ]);
  });

  it('warns about public sharing', () => {
    const text = yamlOf([site()], [policy({ share: { public: true } })]);
    expect(warningsOf(text)).toEqual([
      expect.objectContaining({
        path: 'backupPolicies[0].share.public',
        message: expect.stringMatching(/^makes every backup AMI of this policy public/),
      }),
    ]);
  });

  it('names the dates of the next two years when the time falls in a daylight-saving gap', () => {
    // Europe/Berlin springs forward at 02:00 on the last Sunday of March: 28 March 2027, 26 March 2028.
    const text = yamlOf(
      [site()],
      [policy({ schedule: { cron: '30 2 * * ? *', timeZone: 'Europe/Berlin' } })],
    );
    expect(warningsOf(text)).toEqual([
      expect.objectContaining({
        path: 'backupPolicies[0].schedule.cron',
        message:
          '02:30 does not exist in Europe/Berlin on 2027-03-28, 2028-03-26 (clocks spring forward): EventBridge Scheduler skips the run those nights; choose a time outside the daylight-saving change to back up every night',
      }),
    ]);
  });
});
