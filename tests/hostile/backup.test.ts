/**
 * Hostile task inputs to every backup handler and hostile config files: each is refused
 * with a named error (InvalidBackupInput / RunPolicyMismatch / ConfigError) whose message
 * names the field and what was expected, before any call that changes anything. The
 * execution input only names a deployed policy: a policy document, a clock or a run id of
 * its own are refused at DiscoverTargets, a tampered run.policy at every acting step.
 */

import { EC2Client } from '@aws-sdk/client-ec2';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import { clientConfig, useLocalCloud } from '@shipyard/local-cloud/testing';
import { describe, expect, it } from 'vitest';
import { makeHandler as makeStart } from '../../functions/backup-start/handler.ts';
import { createEc2PortFactory } from '../../shared/aws/ec2.ts';
import { checkCopy, checkImage, checkSnapshots } from '../../shared/backup-service/checks.ts';
import { type BackupDeps, silentLogger } from '../../shared/backup-service/deps.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { handlerPathOf } from '../helpers/backup-asl.ts';
import { deployed, executionArnOf, localRunFiles, localRunRecords, runOf } from '../helpers/backup-deps.ts';
import { policy, SOURCE, seedFleet } from '../workflow/backup/scenario.ts';
import { type HostileCase, mutatingCalls, newCalls, thrown } from './side-effects.ts';

const local = useLocalCloud();
const NOW = '2026-02-01T00:30:00.000Z';
const good = () => policy();
const RUN_ID = 'nightly-2026-02-01';
const run = (over: Record<string, unknown> = {}) => ({ ...runOf(good(), RUN_ID, NOW), ...over });
const target = { id: 'i-0aaaaaaaaaaaaaaa1', kind: 'instance', form: 'image' };
const poll = { state: 'pending', attempt: 0, startedAt: NOW, waitSeconds: 30 };
const snapshots = (over: Record<string, unknown> = {}) => ({
  ...poll,
  region: SOURCE,
  createdAt: NOW,
  snapshots: [{ snapshotId: 'snap-0123456789abcdef0', volumeId: 'vol-0a0000000000000a1', sizeGiB: 8 }],
  ...over,
});
const image = (over: Record<string, unknown> = {}) => ({
  ...poll,
  region: SOURCE,
  imageId: 'ami-0123456789abcdef0',
  name: 'shipyard/nightly/i-0aaaaaaaaaaaaaaa1/nightly-2026-02-01',
  createdAt: NOW,
  ...over,
});

type Handler = (event: unknown) => Promise<unknown>;
const handlers = new Map<string, Handler>();
const deps = (l: RunningLocalCloud): BackupDeps => ({
  ec2: createEc2PortFactory({
    clientFor: (region) => new EC2Client({ ...clientConfig(l.url, region), maxAttempts: 1 }),
  }),
  logger: silentLogger,
  now: () => new Date(NOW),
  policies: deployed(good()),
  runRecords: localRunRecords(() => l),
  runFiles: localRunFiles(() => l),
});
const call = (key: string, event: unknown) => () => thrown(() => (handlers.get(key) as Handler)(event));
const IBI = 'InvalidBackupInput';

const execution = (name = RUN_ID) => ({ name, id: executionArnOf(name), startTime: NOW });
const discover = (over: Record<string, unknown>, name = RUN_ID) =>
  call('backupDiscoverTargets', { input: { policy: 'nightly', ...over }, execution: execution(name) });
const start = (event: unknown) => () =>
  thrown(() =>
    makeStart({
      starter: { start: async () => ({ kind: 'already-exists' }) },
      stateMachineArn: 'arn:x',
      logger: silentLogger,
      policies: deployed(good()),
      now: () => new Date(NOW),
    })(event),
  );
const RPM = 'RunPolicyMismatch';

const handlerCases: HostileCase[] = [
  {
    name: 'discover: run id other than the execution name',
    act: discover({ runId: 'nightly-2026-01-01' }),
    error: IBI,
    message:
      /discover-targets: invalid input: runId: "nightly-2026-01-01" is not this execution's name "nightly-2026-02-01"/,
  },
  {
    name: 'discover: execution name with a space',
    act: discover({}, 'nightly 1'),
    error: IBI,
    message: /discover-targets: invalid input: execution\.name: not a valid execution name/,
  },
  {
    name: 'discover: a policy document instead of a name',
    act: discover({ policy: { ...good(), retention: { keepLast: 1 } } }),
    error: IBI,
    message: /discover-targets: invalid input: policy: a policy document is refused: name a deployed policy/,
  },
  {
    name: 'discover: a policy name that is not deployed',
    act: discover({ policy: 'weekly' }),
    error: IBI,
    message: /policy: no deployed backup policy "weekly" \(deployed: nightly\)/,
  },
  {
    name: 'discover: a target outside the policy selection',
    act: discover({ targets: ['i-0ddddddddddddddd4'] }),
    error: IBI,
    message: /targets: i-0ddddddddddddddd4 is not selected by policy nightly/,
  },
  {
    name: 'discover: malformed instance id',
    act: discover({ targets: ['i-XYZ'] }),
    error: IBI,
    message: /targets\[0\]: expected an instance or volume id/,
  },
  {
    name: 'discover: volume id too short',
    act: discover({ targets: ['vol-123'] }),
    error: IBI,
    message: /targets\[0\]: expected an instance or volume id/,
  },
  {
    name: 'discover: instance id with path traversal',
    act: discover({ targets: ['i-0123456789abcdef0/../x'] }),
    error: IBI,
    message: /targets\[0\]: expected an instance or volume id/,
  },
  {
    name: 'discover: a clock in the input',
    act: discover({ now: '2030-01-01T00:00:00Z' }),
    error: IBI,
    message: /discover-targets: invalid input: \(input\): Unrecognized key.*\(now\)/,
  },
  {
    name: 'discover: unknown key',
    act: discover({ dryrun: true }),
    error: IBI,
    message: /\(input\): Unrecognized key.*\(dryrun\)/,
  },
  {
    name: 'create-snapshots: target id with control characters',
    act: call('backupCreateSnapshots', {
      run: run(),
      backup: { target: { ...target, id: 'i-0123\u0000abcd' } },
    }),
    error: IBI,
    message: /create-snapshots: invalid input: backup\.target\.id: expected an instance or volume id/,
  },
  {
    name: 'create-snapshots: excluded volume id malformed',
    act: call('backupCreateSnapshots', {
      run: run(),
      backup: { target: { ...target, excludeDataVolumeIds: ['vol-zz'] } },
    }),
    error: IBI,
    message: /backup\.target\.excludeDataVolumeIds\[0\]: not a volume id/,
  },
  {
    name: 'check-snapshots: no snapshot set yet',
    act: call('checkSnapshots', { run: run(), backup: { target } }),
    error: IBI,
    message: /check-snapshots: invalid input: backup\.snapshots: required at this step/,
  },
  {
    name: 'check-snapshots: malformed snapshot id',
    act: call('checkSnapshots', {
      run: run(),
      backup: { target, snapshots: snapshots({ snapshots: [{ snapshotId: 'snap-ZZ', sizeGiB: 8 }] }) },
    }),
    error: IBI,
    message: /backup\.snapshots\.snapshots\[0\]\.snapshotId: not a snapshot id/,
  },
  {
    name: 'register-image: region not a region',
    act: call('backupRegisterImage', {
      run: run(),
      backup: { target, snapshots: snapshots({ region: '../eu-west-1' }) },
    }),
    error: IBI,
    message: /backup\.snapshots\.region: not an AWS region name/,
  },
  {
    name: 'check-image: AMI id with path traversal',
    act: call('checkImage', {
      run: run(),
      backup: { target, image: image({ imageId: 'ami-../../etc' }) },
    }),
    error: IBI,
    message: /backup\.image\.imageId: not an AMI id/,
  },
  {
    name: 'copy-image: source is an instance id',
    act: call('backupCopyImage', {
      run: run(),
      target,
      source: image({ imageId: 'i-0123456789abcdef0' }),
      copy: { region: 'us-east-1' },
    }),
    error: IBI,
    message: /source\.imageId: not an AMI id/,
  },
  {
    name: 'copy-image: region not in the policy',
    act: call('backupCopyImage', { run: run(), target, source: image(), copy: { region: 'ap-south-1' } }),
    error: IBI,
    message: /copy-image: ap-south-1 is not a copy region of nightly/,
  },
  {
    name: 'check-copy: copy never started',
    act: call('checkCopy', { run: run(), target, source: image(), copy: { region: 'us-east-1' } }),
    error: IBI,
    message: /check-copy: invalid input: copy\.imageId: required at this step/,
  },
  {
    name: 'share-image: AMI id with a space',
    act: call('backupShareImage', {
      run: run(),
      backup: { target, image: image({ imageId: 'ami-0123 456789abcdef' }) },
    }),
    error: IBI,
    message: /backup\.image\.imageId: not an AMI id/,
  },
  {
    name: 'rotate: input null',
    act: call('backupRotate', null),
    error: IBI,
    message: /rotate: invalid input: \(input\): .*expected object/,
  },
  {
    name: 'plan-target: volume target with an instance id',
    act: call('backupPlanTarget', {
      run: run(),
      backup: { target: { ...target, id: 'i-0123456789abcdef0 ; rm' } },
    }),
    error: IBI,
    message: /plan-target: invalid input: backup\.target\.id: expected an instance or volume id/,
  },
  {
    name: "summarize: results not the Distributed Map's ResultWriter output",
    act: call('backupSummarize', {
      run: run(),
      files: { bucket: 'b', itemsKey: 'items/x.json', resultsPrefix: 'results' },
      targetCount: 0,
      results: [],
    }),
    error: IBI,
    message: /summarize: invalid input: results: .*expected object/,
  },
  {
    name: 'rotate: run.policy with another retention under the same name',
    act: call('backupRotate', {
      run: run({ policy: policy({ retention: { keepLast: 1 } }) }),
      backup: { target, snapshots: snapshots({ state: 'completed' }) },
    }),
    error: RPM,
    message: /rotate: run\.policy "nightly" is not the deployed policy/,
  },
  {
    name: 'share-image: run.policy sharing with another account',
    act: call('backupShareImage', {
      run: run({ policy: policy({ share: { accountIds: ['999999999999'] } }) }),
      backup: { target, image: image() },
    }),
    error: RPM,
    message: /share-image: run\.policy "nightly" is not the deployed policy/,
  },
  {
    name: 'copy-image: run.policy with another copy region',
    act: call('backupCopyImage', {
      run: run({ policy: policy({ copyRegions: [{ region: 'ap-south-1' }] }) }),
      target,
      source: image(),
      copy: { region: 'ap-south-1' },
    }),
    error: RPM,
    message: /copy-image: run\.policy "nightly" is not the deployed policy/,
  },
  {
    name: 'create-snapshots: the deployed policy with a forged version',
    act: call('backupCreateSnapshots', {
      run: run({ policyVersion: `sha256:${'f'.repeat(64)}` }),
      backup: { target },
    }),
    error: RPM,
    message: /create-snapshots: run\.policy "nightly" is not the deployed policy .*recorded sha256:f{64}/,
  },
  {
    name: 'start: scheduled time not ISO',
    act: start({ policy: 'nightly', scheduledTime: 'yesterday' }),
    error: IBI,
    message: /backup-start: invalid input: scheduledTime: Invalid ISO datetime/,
  },
  {
    name: 'start: a policy document instead of a name',
    act: start({ policy: good(), scheduledTime: NOW }),
    error: IBI,
    message: /backup-start: invalid input: policy: .*expected string/,
  },
  {
    name: 'start: a scheduled time days in the future',
    act: start({ policy: 'nightly', scheduledTime: '2026-02-05T00:30:00.000Z' }),
    error: IBI,
    message:
      /backup-start: invalid input: scheduledTime: 2026-02-05T00:30:00.000Z is 345600 s after the service clock/,
  },
  {
    name: 'start: a scheduled time a week in the past',
    act: start({ policy: 'nightly', scheduledTime: '2026-01-25T00:30:00.000Z' }),
    error: IBI,
    message:
      /backup-start: invalid input: scheduledTime: 2026-01-25T00:30:00.000Z is 604800 s before the service clock/,
  },
];

const config = (body: string) => () => thrown(async () => parseConfig(body, 'shipyard.yml'));
const site = (over: string) =>
  `sites:\n  - name: web\n    bucket: web-bucket\n    distributionIds: [E2QWRUHAPOMQZL]\n${over}`;
const policyYaml = (over: Record<string, unknown>) =>
  JSON.stringify({ backupPolicies: [{ ...JSON.parse(JSON.stringify(good())), ...over }] });

const configCases: HostileCase[] = [
  {
    name: 'config: not YAML',
    act: config('sites: [\n  - name: web'),
    error: 'ConfigError',
    message: /shipyard\.yml:\d+:\d+/,
  },
  {
    name: 'config: misspelt top-level key',
    act: config('site: []'),
    error: 'ConfigError',
    message: /Unrecognized key.*"site"/,
  },
  {
    name: 'config: lower-case distribution id',
    act: config(site('').replace('E2QWRUHAPOMQZL', 'e2qwruhapomqzl')),
    error: 'ConfigError',
    message: /sites\[0\]\.distributionIds\[0\]: expected a CloudFront distribution id/,
  },
  {
    name: 'config: bucket name with an underscore',
    act: config(site('').replace('web-bucket', 'Web_Bucket')),
    error: 'ConfigError',
    message: /sites\[0\]\.bucket: expected an S3 bucket name/,
  },
  {
    name: 'config: key prefix starting with /',
    act: config(site('    keyPrefix: /site/\n')),
    error: 'ConfigError',
    message: /sites\[0\]\.keyPrefix: expected "" or a prefix ending in "\/"/,
  },
  {
    name: 'config: broad path without /',
    act: config(site('    broadPaths: ["*"]\n')),
    error: 'ConfigError',
    message: /sites\[0\]\.broadPaths\[0\]: paths start with "\/"/,
  },
  {
    name: 'config: site name with unicode',
    act: config(site('').replace('name: web', 'name: wéb')),
    error: 'ConfigError',
    message: /sites\[0\]\.name: expected a lower-case slug/,
  },
  {
    name: 'config: duplicate site',
    act: config(
      `${site('')}  - name: web\n    bucket: other-bucket\n    distributionIds: [E1DOCS0000000A]\n`,
    ),
    error: 'ConfigError',
    message: /sites: site name "web" is used more than once/,
  },
  {
    name: 'config: account id with 13 digits',
    act: config(policyYaml({ share: { accountIds: ['2109876543210'] } })),
    error: 'ConfigError',
    message: /backupPolicies\[0\]\.share\.accountIds\[0\]: an AWS account id is exactly 12 digits/,
  },
  {
    name: 'config: malformed KMS ARN',
    act: config(
      policyYaml({
        copyRegions: [{ region: 'us-east-1', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/not-a-uuid' }],
      }),
    ),
    error: 'ConfigError',
    message: /backupPolicies\[0\]\.copyRegions\[0\]\.kmsKeyId: must be a KMS key ARN/,
  },
  {
    name: 'config: copy region with unicode',
    act: config(policyYaml({ copyRegions: [{ region: 'us-eаst-1' }] })),
    error: 'ConfigError',
    message: /backupPolicies\[0\]\.copyRegions\[0\]\.region: not an AWS region name/,
  },
  {
    name: 'config: KMS key of another region',
    act: config(
      policyYaml({
        copyRegions: [
          {
            region: 'us-east-1',
            kmsKeyId: 'arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555',
          },
        ],
      }),
    ),
    error: 'ConfigError',
    message:
      /backupPolicies\[0\]\.copyRegions\[0\]\.kmsKeyId: KMS key is in eu-central-1, but CopyImage needs a key in the destination region us-east-1/,
  },
  {
    name: 'config: account id with letters',
    act: config(policyYaml({ share: { accountIds: ['21098765432O'] } })),
    error: 'ConfigError',
    message: /backupPolicies\[0\]\.share\.accountIds\[0\]: an AWS account id is exactly 12 digits/,
  },
  {
    name: 'config: region without number',
    act: config(policyYaml({ sourceRegion: 'eu-west' })),
    error: 'ConfigError',
    message: /backupPolicies\[0\]\.sourceRegion: not an AWS region name/,
  },
  {
    name: 'config: copy to the source region',
    act: config(policyYaml({ copyRegions: [{ region: SOURCE }] })),
    error: 'ConfigError',
    message: /backupPolicies\[0\]\.copyRegions\[0\]\.region: copy region eu-west-1 is the source region/,
  },
  {
    name: 'config: cron with five fields',
    act: config(policyYaml({ schedule: { cron: '30 1 * * *', timeZone: 'UTC' } })),
    error: 'ConfigError',
    message: /backupPolicies\[0\]\.schedule\.cron: cron: expected 6 fields/,
  },
  {
    name: 'config: instance id with a path',
    act: config(policyYaml({ targets: { instanceIds: ['i-0123456789abcdef0/..'] } })),
    error: 'ConfigError',
    message: /backupPolicies\[0\]\.targets\.instanceIds\[0\]: not an instance id/,
  },
  {
    name: 'config: retention that keeps nothing',
    act: config(policyYaml({ retention: { keepLast: 0 } })),
    error: 'ConfigError',
    message: /backupPolicies\[0\]\.retention: retention keeps nothing/,
  },
];

describe('hostile input to the backup handlers and the config file', () => {
  it.each([...handlerCases, ...configCases].map((c) => [c.name, c] as const))(
    '%s',
    async (_name, hostile) => {
      // Prepare
      await seedFleet(local().control);
      if (handlers.size === 0) {
        for (const key of [
          'backupDiscoverTargets',
          'backupCreateSnapshots',
          'backupRegisterImage',
          'backupCopyImage',
          'backupShareImage',
          'backupRotate',
          'backupPlanTarget',
          'backupSummarize',
        ]) {
          const module = (await import(new URL(`../../${handlerPathOf(key)}`, import.meta.url).href)) as {
            makeHandler: (d: BackupDeps) => Handler;
          };
          handlers.set(key, module.makeHandler(deps(local())));
        }
        // The checks the waiting steps and ResumeWait run on a parked wait's input.
        handlers.set('checkSnapshots', (e) => checkSnapshots(deps(local()), e));
        handlers.set('checkImage', (e) => checkImage(deps(local()), e));
        handlers.set('checkCopy', (e) => checkCopy(deps(local()), e));
      }
      const before = await mutatingCalls(local().control);
      // Act
      const observed = await hostile.act();
      // Assess
      expect(observed.name).toBe(hostile.error);
      expect(observed.message).toMatch(hostile.message);
      expect(newCalls(before, await mutatingCalls(local().control))).toEqual({});
    },
  );
});
