/** Every backup handler rejects a bad task input with InvalidBackupInput naming the field, before any EC2 call. */
import { describe, expect, it } from 'vitest';
import type { BackupDeps } from '../../../shared/backup-service/deps.ts';
import { silentLogger } from '../../../shared/backup-service/deps.ts';
import type { Ec2PortFactory } from '../../../shared/backup-service/ports/ec2.ts';
import { deployed, memoryRunFiles, runOf, unusedRunRecords } from '../../helpers/backup-deps.ts';
import { policy } from '../../workflow/backup/scenario.ts';

const noEc2: Ec2PortFactory = () => {
  throw new Error('EC2 must not be called on invalid input');
};
const deps: BackupDeps = {
  ec2: noEc2,
  logger: silentLogger,
  now: () => new Date('2026-02-01T00:30:00Z'),
  policies: deployed(policy()),
  runRecords: unusedRunRecords,
  runFiles: memoryRunFiles(),
};

const run = runOf(policy(), 'nightly-2026-02-01', '2026-02-01T00:30:00.000Z');
const execution = (name: string) => ({
  name,
  id: `arn:aws:states:eu-west-1:1:execution:x:${name}`,
  startTime: 't',
});
const discover = (input: unknown, name = 'r1') => ({ input, execution: execution(name) });
const target = { id: 'i-0aaaaaaaaaaaaaaa1', kind: 'instance', form: 'image' };

type Case = [step: string, input: unknown, field: string];
const cases: Case[] = [
  ['backup-discover-targets', discover({ policy: 'nightly' }, 'bad name'), 'execution.name'],
  ['backup-discover-targets', discover({ policy: 'nightly', runId: 'r2' }), 'runId'],
  ['backup-discover-targets', discover({ policy: policy() }), 'policy: a policy document is refused'],
  ['backup-discover-targets', discover({ policy: 'nightly', targets: ['i-nothex'] }), 'targets[0]'],
  ['backup-discover-targets', discover({ policy: 'nightly', typo: true }), 'typo'],
  ['backup-discover-targets', discover({ policy: 'nightly', now: '2026-02-01T00:30:00Z' }), 'now'],
  [
    'backup-create-snapshots',
    { run, backup: { target: { ...target, kind: 'server' } } },
    'backup.target.kind',
  ],
  ['backup-register-image', { run: { ...run, startedAt: 'yesterday' }, backup: { target } }, 'run.startedAt'],
  ['backup-copy-image', { run, target, copy: { region: 'us-east-1' } }, 'source'],
  ['backup-share-image', { run, backup: { target } }, 'backup.image'],
  ['backup-rotate', { run: { ...run, dryRun: 'yes' }, backup: { target } }, 'run.dryRun'],
  [
    'backup-summarize',
    {
      run,
      files: { bucket: 'b', itemsKey: 'items/x.json', resultsPrefix: 'results' },
      targetCount: 1,
      results: { MapRunArn: 'arn' },
    },
    'results.ResultWriterDetails',
  ],
];

describe('backup handlers validate their input', () => {
  it.each(cases)('%s: %j → InvalidBackupInput naming %s', async (step, input, field) => {
    const { makeHandler } = (await import(`../../../functions/${step}/handler.ts`)) as {
      makeHandler: (d: BackupDeps) => (event: unknown) => Promise<unknown>;
    };
    const error = await makeHandler(deps)(input).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('InvalidBackupInput');
    expect((error as Error).message).toContain(field);
  });

  it('backup-start: names the bad field of the schedule input', async () => {
    const { makeHandler } = await import('../../../functions/backup-start/handler.ts');
    const starter = { start: () => Promise.reject(new Error('must not start')) };
    const handler = makeHandler({
      starter,
      stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:x',
      logger: silentLogger,
      policies: deployed(policy()),
      now: () => new Date('2026-02-01T00:30:00Z'),
    });
    await expect(handler({ policy: 'nightly', scheduledTime: 'tonight' })).rejects.toThrow(/scheduledTime/);
  });
});
