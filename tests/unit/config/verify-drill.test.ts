/**
 * `verify` in a policy and `drills[]`: what `config validate` refuses, each with its field.
 * (Whether a subnet routes to the internet or a security group has inbound rules is checked
 * against EC2 by the first step of a verification: tests/unit/backup-service/verification.)
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, type ConfigProblem } from '../../../shared/config/errors.ts';
import { validateConfigText } from '../../../shared/config/review.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const ACC = 'arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdef00';
const verify = (over: Record<string, unknown> = {}) => ({
  regions: [
    { region: 'ap-south-1', subnetId: 'subnet-0a1b2c3d4e5f60718', securityGroupId: 'sg-0a1b2c3d4e5f60718' },
    { region: 'us-west-1', subnetId: 'subnet-0a1b2c3d4e5f60719', securityGroupId: 'sg-0a1b2c3d4e5f60719' },
  ],
  ...over,
});
const policy = (over: Record<string, unknown> = {}) => ({
  name: 'nightly',
  schedule: { cron: '0 2 * * ? *', timeZone: 'Asia/Kolkata' },
  sourceRegion: 'ap-south-1',
  targets: { tags: { Backup: 'nightly' } },
  copyRegions: [{ region: 'us-west-1' }],
  retention: { keepLast: 3 },
  verify: verify(),
  ...over,
});
const drill = (over: Record<string, unknown> = {}) => ({
  name: 'web',
  acceleratorArn: ACC,
  primary: { region: 'ap-south-1', endpointGroupArn: `${ACC}/listener/0123abcd/endpoint-group/ab88888888a0` },
  standby: {
    region: 'us-west-1',
    endpointGroupArn: `${ACC}/listener/0123abcd/endpoint-group/ab99999999a1`,
    policy: 'nightly',
    target: 'i-0aaaaaaaaaaaaaaa1',
    maxImageAgeHours: 48,
    launchTemplateId: 'lt-0123456789abcdef0',
  },
  alarms: [{ region: 'us-west-1', name: 'web-5xx' }],
  ...over,
});
const yamlOf = (backupPolicies: unknown[], drills: unknown[] = []) => stringify({ backupPolicies, drills });

const problemsOf = (text: string): ConfigProblem[] => {
  try {
    validateConfigText(text, 'shipyard.yml', NOW);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be refused');
};

describe('verify and drills in the config', () => {
  it('takes a verify schedule with the backup schedule rules (at most once a day), afterRun off unless written', () => {
    const { config } = validateConfigText(
      yamlOf([policy({ verify: verify({ schedule: { cron: '0 6 ? * 1 *', timeZone: 'Europe/Berlin' } }) })]),
      'shipyard.yml',
      NOW,
    );
    expect(config.backupPolicies[0]?.verify).toMatchObject({
      schedule: { cron: '0 6 ? * 1 *', timeZone: 'Europe/Berlin' },
      afterRun: false,
    });
    const problems = problemsOf(
      yamlOf([
        policy({
          verify: verify({ schedule: { cron: '0 */6 * * ? *', timeZone: 'Mars/Olympus' }, afterRun: 'yes' }),
        }),
      ]),
    );
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('backupPolicies[0].verify.schedule.cron');
    expect(paths).toContain('backupPolicies[0].verify.schedule.timeZone');
    expect(paths).toContain('backupPolicies[0].verify.afterRun');
  });

  it('accepts a policy that verifies in its source and copy region and a drill onto it', () => {
    expect(() => validateConfigText(yamlOf([policy()], [drill()]), 'shipyard.yml', NOW)).not.toThrow();
  });

  it.each([
    [
      'a verify region holding no backup',
      yamlOf([
        policy({
          verify: verify({
            regions: [{ region: 'eu-west-1', subnetId: 'subnet-0a1b2c3d', securityGroupId: 'sg-0a1b2c3d' }],
          }),
        }),
      ]),
      'backupPolicies[0].verify.regions[0].region',
      /^verify region eu-west-1 holds no backup of this policy: expected the source region or a copy region \(ap-south-1, us-west-1\)$/,
    ],
    [
      'a malformed subnet id',
      yamlOf([
        policy({
          verify: verify({
            regions: [{ region: 'ap-south-1', subnetId: 'sn-1', securityGroupId: 'sg-0a1b2c3d' }],
          }),
        }),
      ]),
      'backupPolicies[0].verify.regions[0].subnetId',
      /^not a subnet id/,
    ],
    [
      'an HTTP probe port out of range',
      yamlOf([policy({ verify: verify({ httpProbe: { port: 70_000, path: '/health' } }) })]),
      'backupPolicies[0].verify.httpProbe.port',
      /^expected a TCP port number \(1–65535\)$/,
    ],
    [
      'an HTTP probe path with a quote (it goes into a shell word)',
      yamlOf([policy({ verify: verify({ httpProbe: { port: 8080, path: "/x' ; rm -rf /" } }) })]),
      'backupPolicies[0].verify.httpProbe.path',
      /^expected a URL path starting with \//,
    ],
    [
      'an HTTP probe path without its leading slash',
      yamlOf([policy({ verify: verify({ httpProbe: { port: 8080, path: 'health' } }) })]),
      'backupPolicies[0].verify.httpProbe.path',
      /^expected a URL path starting with \//,
    ],
    [
      'an HTTP probe expecting a status that is not one',
      yamlOf([policy({ verify: verify({ httpProbe: { port: 8080, expectStatus: 42 } }) })]),
      'backupPolicies[0].verify.httpProbe.expectStatus',
      /^expected an HTTP status code \(100–599\)$/,
    ],
    [
      'an unknown HTTP probe key',
      yamlOf([policy({ verify: verify({ httpProbe: { port: 8080, url: 'http://x' } }) })]),
      'backupPolicies[0].verify.httpProbe',
      /url/,
    ],
    [
      'a cost cap above the most allowed',
      yamlOf([policy({ verify: verify({ maxPerRun: 500 }) })]),
      'backupPolicies[0].verify.maxPerRun',
      /50/,
    ],
    [
      'a drill onto a region the policy does not verify',
      yamlOf([policy({ verify: verify({ regions: [verify().regions[0]] }) })], [drill()]),
      'drills[0].standby.region',
      /^policy nightly verifies no backup in us-west-1/,
    ],
    [
      'a drill onto an unknown policy',
      yamlOf([policy()], [drill({ standby: { ...drill().standby, policy: 'weekly' } })]),
      'drills[0].standby.policy',
      /^no backup policy named weekly$/,
    ],
    [
      'an endpoint group of another accelerator',
      yamlOf(
        [policy()],
        [
          drill({
            primary: {
              region: 'ap-south-1',
              endpointGroupArn: `${ACC.replace('1234abcd-', '9999abcd-')}/listener/0123abcd/endpoint-group/ab88888888a0`,
            },
          }),
        ],
      ),
      'drills[0].primary.endpointGroupArn',
      /^endpoint group belongs to arn:aws:globalaccelerator::123456789012:accelerator\/9999abcd/,
    ],
    [
      'steps that are not increasing',
      yamlOf([policy()], [drill({ steps: [50, 10] })]),
      'drills[0].steps',
      /strictly increasing/,
    ],
    [
      'two drills on one accelerator',
      yamlOf([policy()], [drill(), drill({ name: 'web2' })]),
      'drills',
      /one drill per accelerator/,
    ],
  ])('refuses %s', (_name, text, path, message) => {
    const problems = problemsOf(text);
    const problem = problems.find((p) => p.path === path);
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem?.message).toMatch(message);
  });
});
