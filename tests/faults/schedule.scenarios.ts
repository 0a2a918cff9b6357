/**
 * Fault scenarios 8, 11 and 12 in the local cloud's own Step Functions and Scheduler: the
 * real ASL deployed with the real handlers, executions named by backupStart from the
 * schedule's scheduled time, concurrent on the simulated clock (tests/helpers/backup-sfn.ts).
 */
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunningLocalCloud } from '@shipyard/local-cloud';
import {
  clientConfig,
  LOCAL_ROLE_ARN,
  useLocalCloud,
  waitForAsyncInvocations,
} from '@shipyard/local-cloud/testing';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { BackupPolicy } from '../../shared/config/policies.ts';
import { type DeployedBackup, deployBackupStateMachine, SFN_REGION } from '../helpers/backup-sfn.ts';
import {
  COPY_A,
  COPY_B,
  INSTANCE_A,
  INSTANCE_B,
  INSTANCE_C,
  policy,
  SOURCE,
  seedFleet,
} from '../workflow/backup/scenario.ts';
import { type Ledger, ledgerFor } from './ledger.ts';
import { finish, untilDuring } from './local-runs.ts';
import { COMMON_PROPERTIES, checkOnePerRun } from './nightly.ts';
import {
  checkBilledOnce,
  checkDefinedEnd,
  checkRestorable,
  foreignFingerprint,
  type RunOutcome,
  seedForeign,
  UNTOUCHED,
  unfinishedManagedImages,
} from './properties.ts';

const ONE_EXECUTION = 'one execution per local night';
const NO_ORPHANS = 'no orphaned AMI or snapshot (pending, failed or unused)';
const ZONE = 'Europe/Berlin';
const TARGETS = [INSTANCE_A, INSTANCE_B, INSTANCE_C];
const REGIONS = [SOURCE, COPY_A, COPY_B];

const SCENARIOS = {
  firesTwice: {
    id: 8,
    name: 'nightly schedule fires twice',
    properties: [...COMMON_PROPERTIES, ONE_EXECUTION],
  },
  dst: {
    id: 11,
    name: 'policy time zone across both daylight-saving changes',
    properties: [
      ...COMMON_PROPERTIES,
      ONE_EXECUTION,
      'no missing night',
      'rotation buckets by local day and week',
    ],
  },
  stopped: {
    id: 12,
    name: 'execution stopped mid-copy, then the next night',
    properties: [
      ...COMMON_PROPERTIES,
      'stopped while a copy was in flight',
      NO_ORPHANS,
      'next night succeeds',
    ],
  },
} as const;

interface Env {
  local: RunningLocalCloud;
  deployed: DeployedBackup;
  foreign: string;
}

async function afterRun(ledger: Ledger, env: Env, outcome: RunOutcome, p: BackupPolicy, runId: string) {
  ledger.ran();
  checkDefinedEnd(ledger, outcome, TARGETS, runId);
  if (outcome.status === 'succeeded')
    await checkRestorable(ledger, env.local.control, p.name, TARGETS, REGIONS, runId);
  ledger.check(UNTOUCHED, (await foreignFingerprint(env.local.control, p.name)) === env.foreign, runId);
  await checkBilledOnce(ledger, env.local.control, runId);
  await checkOnePerRun(ledger, env.local, p.name);
}

interface Inventory {
  ec2: {
    regions: Record<
      string,
      {
        images: { snapshotIds: string[]; tags: Record<string, string> }[];
        snapshots: { snapshotId: string; tags: Record<string, string> }[];
      }
    >;
  };
}

async function orphans(local: RunningLocalCloud, policyName: string): Promise<string[]> {
  const state = await local.control.state<Inventory>();
  const unused = Object.entries(state.ec2.regions).flatMap(([region, inv]) => {
    const used = new Set(inv.images.flatMap((i) => i.snapshotIds));
    return inv.snapshots
      .filter((s) => s.tags['shipyard:policy'] === policyName && !used.has(s.snapshotId))
      .map((s) => `${region}:${s.snapshotId}:unused`);
  });
  return [...(await unfinishedManagedImages(local.control, policyName)), ...unused];
}

export function scheduleScenarios() {
  describe('fault matrix: schedules and executions in the local Step Functions', () => {
    const local = useLocalCloud({ clock: { start: Date.parse('2026-01-31T12:00:00Z'), speed: 0 } });

    /** The stack deployed with `p` as its policy (the packaged config). */
    const prepare = async (p: BackupPolicy): Promise<Env> => {
      await local().control.setSpeed(0);
      await seedFleet(local().control);
      await seedForeign(local().control, REGIONS, INSTANCE_A);
      const foreign = await foreignFingerprint(local().control, 'nightly');
      return {
        local: local(),
        deployed: await deployBackupStateMachine(local(), { policies: [p] }),
        foreign,
      };
    };

    it(`${SCENARIOS.firesTwice.id}. ${SCENARIOS.firesTwice.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.firesTwice);
      const p = policy();
      const env = await prepare(p);
      const scheduledTime = '2026-02-01T00:30:00Z';
      await local().control.advance({ to: scheduledTime });
      // The same occurrence delivered twice while the run is in flight, then a late third
      // delivery of the same night (another scheduled instant, same local date).
      const first = await env.deployed.start({ policy: p.name, scheduledTime });
      const second = await env.deployed.start({ policy: p.name, scheduledTime });
      const third = await env.deployed.start({ policy: p.name, scheduledTime: '2026-02-01T00:31:00Z' });
      // The input names the policy only, so a redelivery while the run is in flight is the same
      // StartExecution (same name, same input): AWS returns the running execution, or
      // ExecutionAlreadyExists — either way one execution (AWS-FACTS: Step Functions).
      const sameRun = (r: { name: string; kind: string; executionArn?: string }) =>
        r.name === first.name && (r.kind === 'already-exists' || r.executionArn === first.executionArn);
      ledger.check(
        ONE_EXECUTION,
        first.name === 'nightly-2026-02-01' && sameRun(second) && sameRun(third),
        JSON.stringify([first, second, third]),
      );
      const executions = await env.deployed.listExecutions();
      ledger.check(ONE_EXECUTION, executions.length === 1, `${executions.length} executions`);
      const outcome = await finish(local(), env.deployed, executions[0]?.executionArn ?? '');
      await afterRun(ledger, env, outcome, p, first.name);
      // A delivery after the run: the same execution name (already exists) or, once the
      // scheduled time is older than a schedule can deliver, refused; never a second run.
      const late = await env.deployed.start({ policy: p.name, scheduledTime }).catch((e: Error) => e);
      ledger.check(
        ONE_EXECUTION,
        (late instanceof Error ? late.name === 'InvalidBackupInput' : late.kind === 'already-exists') &&
          (await env.deployed.listExecutions()).length === 1,
        late instanceof Error ? late.message : JSON.stringify(late),
      );
      expect(ledger.violations).toEqual([]);
    });

    it(`${SCENARIOS.dst.id}. ${SCENARIOS.dst.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.dst);
      const p = policy({
        targets: { instanceIds: TARGETS },
        share: {},
        retention: { gfs: { daily: 3, weekly: 2 } },
      });
      const env = await prepare(p);
      const scheduler = new SchedulerClient(clientConfig(local().url, SFN_REGION));
      const expectedNights: string[] = [];
      const ran: string[] = [];
      // Four local nights around each change: spring forward on 29 March, fall back on 25 October 2026.
      for (const [name, firstNight] of [
        ['spring', '2026-03-27'],
        ['autumn', '2026-10-23'],
      ] as const) {
        const start = DateTime.fromISO(`${firstNight}T00:00`, { zone: ZONE }).minus({ hours: 12 });
        await local().control.advance({ to: start.toUTC().toISO() ?? '' });
        await scheduler.send(
          new CreateScheduleCommand({
            Name: `shipyard-nightly-${name}`,
            ScheduleExpression: `cron(${p.schedule.cron})`,
            ScheduleExpressionTimezone: p.schedule.timeZone,
            FlexibleTimeWindow: { Mode: 'OFF' },
            Target: {
              Arn: env.deployed.startFunctionArn,
              RoleArn: LOCAL_ROLE_ARN,
              Input: JSON.stringify({ policy: p.name, scheduledTime: '<aws.scheduler.scheduled-time>' }),
            },
          }),
        );
        for (let n = 0; n < 4; n++) {
          const day = DateTime.fromISO(firstNight, { zone: ZONE }).plus({ days: n });
          expectedNights.push(`nightly-${day.toISODate()}`);
          // Just after 01:30 local: backupStart refuses a scheduled time older than a schedule delivers.
          await local().control.advance({ to: day.set({ hour: 1, minute: 45 }).toUTC().toISO() ?? '' });
          const { fired } = await local().control.tickSchedules();
          ledger.check(ONE_EXECUTION, fired.length === 1, `${day.toISODate()}: ${fired.length} firings`);
          const local0130 = fired.map((f) =>
            DateTime.fromISO(f.scheduledTime, { zone: ZONE }).toFormat('HH:mm'),
          );
          ledger.check(
            'no missing night',
            local0130.every((t) => t === '01:30'),
            `${day.toISODate()}: fired at ${local0130}`,
          );
          // The schedule invokes backupStart asynchronously: its execution exists once that ended.
          await waitForAsyncInvocations(local().control);
          expect(
            (await env.deployed.listExecutions()).length,
            `the run of ${day.toISODate()}`,
          ).toBeGreaterThanOrEqual(ran.length + 1);
          const execution = (await env.deployed.listExecutions()).find((e) => !ran.includes(e.name));
          ran.push(execution?.name ?? '');
          const outcome = await finish(local(), env.deployed, execution?.executionArn ?? '');
          await afterRun(ledger, env, outcome, p, execution?.name ?? '');
        }
        await scheduler.send(new DeleteScheduleCommand({ Name: `shipyard-nightly-${name}` }));
      }
      const names = (await env.deployed.listExecutions()).map((e) => e.name).sort();
      ledger.check(
        ONE_EXECUTION,
        JSON.stringify(names) === JSON.stringify([...expectedNights].sort()),
        names.join(),
      );
      ledger.check(
        'no missing night',
        expectedNights.every((n) => names.includes(n)),
        names.join(),
      );
      // Retention, computed here: the newest backup of each of the last 3 local days and 2 ISO weeks.
      const nights = expectedNights.map((n) => DateTime.fromISO(n.slice('nightly-'.length), { zone: ZONE }));
      const newestFirst = [...nights].sort((a, b) => b.toMillis() - a.toMillis());
      const keep = new Set<string>();
      const lastBuckets = (count: number, bucket: (d: DateTime) => string) => {
        const seen = new Set<string>();
        for (const d of newestFirst)
          if (!seen.has(bucket(d)) && seen.size < count) {
            seen.add(bucket(d));
            keep.add(`nightly-${d.toISODate()}`);
          }
      };
      lastBuckets(3, (d) => d.toISODate() ?? '');
      lastBuckets(2, (d) => `${d.weekYear}-W${d.weekNumber}`);
      const state = await local().control.state<Inventory>();
      for (const target of TARGETS) {
        const kept = (state.ec2.regions[SOURCE]?.images ?? [])
          .filter((i) => i.tags['shipyard:target'] === target && i.tags['shipyard:policy'] === 'nightly')
          .map((i) => i.tags['shipyard:run'])
          .sort();
        ledger.check(
          'rotation buckets by local day and week',
          JSON.stringify(kept) === JSON.stringify([...keep].sort()),
          `${target}: kept ${kept}, expected ${[...keep].sort()}`,
        );
      }
      expect(ledger.violations).toEqual([]);
    });

    it(`${SCENARIOS.stopped.id}. ${SCENARIOS.stopped.name}`, async () => {
      const ledger = ledgerFor(SCENARIOS.stopped);
      // Dates after the other scenarios' (the simulated clock never goes back within a file).
      const p = policy({ retention: { keepLast: 1 } });
      const env = await prepare(p);
      await local().control.advance({ to: '2027-02-01T00:30:00Z' });
      const night1 = await env.deployed.start({ policy: p.name, scheduledTime: '2027-02-01T00:30:00Z' });
      const [execution] = await env.deployed.listExecutions();
      const copies = async () =>
        (await local().control.counters()).calls
          .filter((c) => c.service === 'ec2' && c.action === 'CopyImage')
          .reduce((n, c) => n + c.count, 0);
      await local().control.setSpeed(200);
      await untilDuring(
        local(),
        execution?.executionArn ?? '',
        async () => (await copies()) >= 2,
        'the first copies',
      );
      await env.deployed.sfn.send(
        new StopExecutionCommand({
          executionArn: execution?.executionArn,
          cause: 'operator stopped the run',
        }),
      );
      await local().control.setSpeed(0);
      ledger.ran();
      const inFlight = await unfinishedManagedImages(local().control, p.name);
      ledger.check(
        'stopped while a copy was in flight',
        inFlight.some((i) => i.endsWith(':pending')),
        inFlight.join(),
      );
      const stopped = (await env.deployed.listExecutions())[0];
      ledger.check(
        'defined end state with a summary',
        stopped?.status === 'ABORTED',
        `${night1.name}: ${stopped?.status}`,
      );
      ledger.check(
        UNTOUCHED,
        (await foreignFingerprint(local().control, p.name)) === env.foreign,
        night1.name,
      );
      // The next night, as the schedule starts it.
      await local().control.advance({ to: '2027-02-02T00:30:00Z' });
      const night2 = await env.deployed.start({ policy: p.name, scheduledTime: '2027-02-02T00:30:00Z' });
      const run2 = (await env.deployed.listExecutions()).find((e) => e.name === night2.name);
      const outcome = await finish(local(), env.deployed, run2?.executionArn ?? '');
      await afterRun(ledger, env, outcome, p, night2.name);
      ledger.check('next night succeeds', outcome.status === 'succeeded', outcome.cause);
      const left = await orphans(local(), p.name);
      ledger.check(NO_ORPHANS, left.length === 0, left.join(', '));
      expect(ledger.violations).toEqual([]);
    });
  });
}
