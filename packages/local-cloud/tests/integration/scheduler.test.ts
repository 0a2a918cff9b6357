import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { type RunningLocalCloud, startLocalCloud } from '../../src/server.ts';
import { registerLocalFunction } from '../../src/services/lambda/register.ts';
import { waitForAsyncInvocations } from '../../testing/async-invocations.ts';
import { clientConfig } from '../../testing/local-cloud.ts';
import { LOCAL_ROLE_ARN, lambdaArn } from '../../testing/step-functions.ts';

/** A cloud of its own per test, its clock frozen at `start` so only `advance` moves it. */
const withCloud = async (start: string, test: (running: RunningLocalCloud) => Promise<void>) => {
  const running = await startLocalCloud({ port: 0, clock: { start: Date.parse(start), speed: 0 } });
  try {
    await test(running);
  } finally {
    await running.close();
  }
};

const createTargetMachine = async (url: string) =>
  (
    await new SFNClient(clientConfig(url)).send(
      new CreateStateMachineCommand({
        name: 'nightly-backup',
        roleArn: LOCAL_ROLE_ARN,
        definition: JSON.stringify({ StartAt: 'Go', States: { Go: { Type: 'Pass', End: true } } }),
      }),
    )
  ).stateMachineArn!;

const schedule = (
  name: string,
  expression: string,
  targetArn: string,
  zone?: string,
): CreateScheduleCommandInput => ({
  Name: name,
  ScheduleExpression: expression,
  ScheduleExpressionTimezone: zone,
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: targetArn, RoleArn: LOCAL_ROLE_ARN, Input: JSON.stringify({ policy: name }) },
});

describe('EventBridge Scheduler in the local cloud', () => {
  it('fires a time-zone cron across midnight and the spring-forward change, skipping the hour that does not exist', () =>
    withCloud('2030-03-08T12:00:00Z', async ({ url, control }) => {
      // Prepare
      const scheduler = new SchedulerClient(clientConfig(url));
      const machine = await createTargetMachine(url);
      await scheduler.send(
        new CreateScheduleCommand(
          schedule('after-midnight', 'cron(30 0 * * ? *)', machine, 'America/New_York'),
        ),
      );
      await scheduler.send(
        new CreateScheduleCommand(
          schedule('half-past-two', 'cron(30 2 * * ? *)', machine, 'America/New_York'),
        ),
      );
      // Act: New York moves from EST to EDT at 02:00 on Sunday 10 March 2030
      await control.advance({ to: '2030-03-11T12:00:00Z' });
      const { fired } = await control.tickSchedules();
      // Assess
      const times = (name: string) => fired.filter((f) => f.schedule === name).map((f) => f.scheduledTime);
      expect(times('after-midnight')).toEqual([
        '2030-03-09T05:30:00.000Z',
        '2030-03-10T05:30:00.000Z',
        '2030-03-11T04:30:00.000Z',
      ]);
      expect(times('half-past-two')).toEqual(['2030-03-09T07:30:00.000Z', '2030-03-11T06:30:00.000Z']);
      const executions = await new SFNClient(clientConfig(url)).send(
        new ListExecutionsCommand({ stateMachineArn: machine }),
      );
      expect(executions.executions).toHaveLength(5);
      expect((await control.tickSchedules()).fired).toEqual([]);
    }));

  it('fires a repeated wall-clock time only once when the clocks go back', () =>
    withCloud('2030-11-02T12:00:00Z', async ({ url, control }) => {
      const scheduler = new SchedulerClient(clientConfig(url));
      const machine = await createTargetMachine(url);
      await scheduler.send(
        new CreateScheduleCommand(schedule('one-thirty', 'cron(30 1 * * ? *)', machine, 'America/New_York')),
      );
      // 01:30 happens twice on Sunday 3 November 2030 (EDT, then EST)
      await control.advance({ to: '2030-11-04T12:00:00Z' });
      const { fired } = await control.tickSchedules();
      expect(fired.map((f) => f.scheduledTime)).toEqual([
        '2030-11-03T05:30:00.000Z',
        '2030-11-04T06:30:00.000Z',
      ]);
    }));

  it('fires a schedule on demand with its target input', () =>
    withCloud('2030-01-01T00:00:00Z', async ({ url, control }) => {
      const scheduler = new SchedulerClient(clientConfig(url));
      const machine = await createTargetMachine(url);
      await scheduler.send(
        new CreateScheduleCommand(schedule('weekly', 'cron(0 3 ? * SUN *)', machine, 'Europe/Berlin')),
      );
      const { fired } = await control.fireSchedule('weekly');
      expect(fired[0]?.executionArn).toMatch(/:execution:nightly-backup:/);
      const execution = await new SFNClient(clientConfig(url)).send(
        new DescribeExecutionCommand({ executionArn: fired[0]!.executionArn }),
      );
      expect(JSON.parse(execution.input!)).toEqual({ policy: 'weekly' });
    }));

  it('invokes a Lambda target for each rate occurrence, starting at creation', () =>
    withCloud('2030-01-01T00:00:00Z', async ({ url, control, cloud }) => {
      const seen: unknown[] = [];
      registerLocalFunction(cloud, { name: 'rotate', handler: async (event) => void seen.push(event) });
      const scheduler = new SchedulerClient(clientConfig(url));
      await scheduler.send(
        new CreateScheduleCommand(schedule('hourly', 'rate(1 hour)', lambdaArn('rotate'))),
      );
      await control.advance({ minutes: 150 });
      const { fired } = await control.tickSchedules();
      expect(fired.map((f) => f.scheduledTime)).toEqual([
        '2030-01-01T00:00:00.000Z',
        '2030-01-01T01:00:00.000Z',
        '2030-01-01T02:00:00.000Z',
      ]);
      await waitForAsyncInvocations(control);
      expect(seen).toEqual([{ policy: 'hourly' }, { policy: 'hourly' }, { policy: 'hourly' }]);
    }));

  it('creates, reads, lists and deletes schedules with the documented errors', () =>
    withCloud('2030-01-01T00:00:00Z', async ({ url }) => {
      // Prepare
      const scheduler = new SchedulerClient(clientConfig(url, 'ap-south-1'));
      const target = lambdaArn('rotate', 'ap-south-1');
      // Act
      const created = await scheduler.send(
        new CreateScheduleCommand(schedule('a', 'cron(0 1 * * ? *)', target, 'Asia/Kolkata')),
      );
      await scheduler.send(new CreateScheduleCommand(schedule('b', 'at(2030-02-01T09:00:00)', target)));
      const got = await scheduler.send(new GetScheduleCommand({ Name: 'a' }));
      const listed = await scheduler.send(new ListSchedulesCommand({ MaxResults: 1 }));
      const rest = await scheduler.send(
        new ListSchedulesCommand({ MaxResults: 1, NextToken: listed.NextToken }),
      );
      // Assess
      expect(created.ScheduleArn).toBe('arn:aws:scheduler:ap-south-1:123456789012:schedule/default/a');
      expect(got).toMatchObject({
        ScheduleExpressionTimezone: 'Asia/Kolkata',
        State: 'ENABLED',
        Target: { Arn: target },
      });
      expect([...(listed.Schedules ?? []), ...(rest.Schedules ?? [])].map((s) => s.Name)).toEqual(['a', 'b']);
      await expect(
        scheduler.send(new CreateScheduleCommand(schedule('a', 'cron(0 1 * * ? *)', target))),
      ).rejects.toMatchObject({ name: 'ConflictException' });
      await expect(
        scheduler.send(new CreateScheduleCommand(schedule('c', 'cron(0 1 * * * *)', target))),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(
        scheduler.send(new CreateScheduleCommand(schedule('d', 'rate(1 hour)', target, 'Mars/Olympus'))),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await scheduler.send(new DeleteScheduleCommand({ Name: 'a' }));
      await expect(scheduler.send(new GetScheduleCommand({ Name: 'a' }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    }));
});
