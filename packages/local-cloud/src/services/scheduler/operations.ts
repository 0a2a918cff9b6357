import * as z from 'zod';
import { AwsError } from '../../aws-error.ts';
import type { LocalCloud } from '../../cloud.ts';
import { decodePageToken, pageOf } from '../../protocol/page-token.ts';
import { jsonResponse, parseJsonBody } from '../../protocol/rest-json.ts';
import type { LocalRequest, LocalResponse } from '../../service.ts';
import { isValidTimeZone, parseScheduleExpression, ScheduleExpressionError } from './expressions.ts';
import { findSchedule, type ScheduleRecord, scheduleArn, scheduleKey, schedulerStore } from './store.ts';

export interface SchedulerCall {
  cloud: LocalCloud;
  req: LocalRequest;
  name: string;
}

const validation = (message: string) => new AwsError('ValidationException', message);

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

const ScheduleBody = z.object({
  ScheduleExpression: z.string().min(1),
  ScheduleExpressionTimezone: z.string().optional(),
  FlexibleTimeWindow: z.object({
    Mode: z.enum(['OFF', 'FLEXIBLE']),
    MaximumWindowInMinutes: z.number().int().min(1).max(1440).optional(),
  }),
  Target: z
    .object({ Arn: z.string().min(1), RoleArn: z.string().min(1), Input: z.string().optional() })
    .loose(),
  GroupName: z.string().optional(),
  StartDate: z.number().optional(),
  EndDate: z.number().optional(),
  Description: z.string().max(512).optional(),
  State: z.enum(['ENABLED', 'DISABLED']).optional(),
  ActionAfterCompletion: z.enum(['NONE', 'DELETE']).optional(),
  ClientToken: z.string().optional(),
});

const parseBody = (req: LocalRequest) => {
  const parsed = ScheduleBody.safeParse(
    parseJsonBody(req.body, (detail) => validation(`Malformed request: ${detail}`)),
  );
  if (!parsed.success)
    throw validation(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  return parsed.data;
};

/** Builds the record for Create and Update (Update replaces every setting, as on AWS). */
const buildSchedule = (
  cloud: LocalCloud,
  region: string,
  name: string,
  body: z.infer<typeof ScheduleBody>,
  previous?: ScheduleRecord,
): ScheduleRecord => {
  if (!NAME.test(name)) throw validation(`Invalid schedule name ${name}`);
  const timeZone = body.ScheduleExpressionTimezone ?? 'UTC';
  if (!isValidTimeZone(timeZone)) throw validation(`Invalid ScheduleExpressionTimezone ${timeZone}`);
  let expression: ScheduleRecord['expression'];
  try {
    expression = parseScheduleExpression(body.ScheduleExpression);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw validation(error.message);
    throw error;
  }
  const group = body.GroupName ?? 'default';
  const now = cloud.now();
  const startDate = body.StartDate === undefined ? undefined : body.StartDate * 1000;
  const endDate = body.EndDate === undefined ? undefined : body.EndDate * 1000;
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate)
    throw validation('The EndDate must be after the StartDate');
  return {
    arn: scheduleArn(cloud, region, group, name),
    name,
    group,
    region,
    expressionText: body.ScheduleExpression,
    expression,
    timeZone,
    state: body.State ?? 'ENABLED',
    ...(body.Description !== undefined ? { description: body.Description } : {}),
    ...(startDate !== undefined ? { startDate } : {}),
    ...(endDate !== undefined ? { endDate } : {}),
    target: {
      Arn: body.Target.Arn,
      RoleArn: body.Target.RoleArn,
      ...(body.Target.Input !== undefined ? { Input: body.Target.Input } : {}),
    },
    flexibleTimeWindow: body.FlexibleTimeWindow,
    actionAfterCompletion: body.ActionAfterCompletion ?? 'NONE',
    creationDate: previous?.creationDate ?? now,
    lastModificationDate: now,
    // A rate schedule without StartDate invokes right away: its first occurrence is now.
    evaluatedUntil: expression.kind === 'rate' ? now - 1 : now,
  };
};

const groupOf = (req: LocalRequest) => req.query.get('groupName') ?? 'default';

export const createSchedule = ({ cloud, req, name }: SchedulerCall): LocalResponse => {
  const body = parseBody(req);
  const schedule = buildSchedule(cloud, req.region, name, body);
  const key = scheduleKey(req.region, schedule.group, name);
  const store = schedulerStore(cloud);
  if (store.schedules.has(key))
    throw new AwsError('ConflictException', `Schedule ${name} already exists.`, 409);
  store.schedules.set(key, schedule);
  return jsonResponse(200, { ScheduleArn: schedule.arn });
};

export const updateSchedule = ({ cloud, req, name }: SchedulerCall): LocalResponse => {
  const body = parseBody(req);
  const previous = findSchedule(cloud, req.region, body.GroupName ?? 'default', name);
  const schedule = buildSchedule(cloud, req.region, name, body, previous);
  schedulerStore(cloud).schedules.set(scheduleKey(req.region, schedule.group, name), schedule);
  return jsonResponse(200, { ScheduleArn: schedule.arn });
};

const seconds = (ms: number) => ms / 1000;

export const scheduleView = (s: ScheduleRecord) => ({
  Arn: s.arn,
  GroupName: s.group,
  Name: s.name,
  ScheduleExpression: s.expressionText,
  ScheduleExpressionTimezone: s.timeZone,
  ...(s.startDate !== undefined ? { StartDate: seconds(s.startDate) } : {}),
  ...(s.endDate !== undefined ? { EndDate: seconds(s.endDate) } : {}),
  ...(s.description !== undefined ? { Description: s.description } : {}),
  State: s.state,
  CreationDate: seconds(s.creationDate),
  LastModificationDate: seconds(s.lastModificationDate),
  Target: s.target,
  FlexibleTimeWindow: s.flexibleTimeWindow,
  ActionAfterCompletion: s.actionAfterCompletion,
});

export const getSchedule = ({ cloud, req, name }: SchedulerCall): LocalResponse =>
  jsonResponse(200, scheduleView(findSchedule(cloud, req.region, groupOf(req), name)));

export const deleteSchedule = ({ cloud, req, name }: SchedulerCall): LocalResponse => {
  const schedule = findSchedule(cloud, req.region, groupOf(req), name);
  schedulerStore(cloud).schedules.delete(scheduleKey(schedule.region, schedule.group, schedule.name));
  return jsonResponse(200, {});
};

export const listSchedules = ({ cloud, req }: SchedulerCall): LocalResponse => {
  const group = req.query.get('ScheduleGroup');
  const prefix = req.query.get('NamePrefix') ?? '';
  const state = req.query.get('State');
  const max = Number(req.query.get('MaxResults') ?? 100);
  if (!Number.isInteger(max) || max < 1 || max > 100)
    throw validation('MaxResults must be between 1 and 100');
  const all = [...schedulerStore(cloud).schedules.values()]
    .filter(
      (s) =>
        s.region === req.region &&
        (!group || s.group === group) &&
        s.name.startsWith(prefix) &&
        (!state || s.state === state),
    )
    .sort((a, b) => `${a.group}/${a.name}`.localeCompare(`${b.group}/${b.name}`));
  const scope = `schedules:${req.region}:${group ?? ''}:${prefix}:${state ?? ''}`;
  const offset = decodePageToken(scope, req.query.get('NextToken') ?? undefined, () =>
    validation('Invalid NextToken'),
  );
  const { page, nextToken } = pageOf(all, scope, offset, max);
  return jsonResponse(200, {
    Schedules: page.map((s) => ({
      Arn: s.arn,
      Name: s.name,
      GroupName: s.group,
      State: s.state,
      CreationDate: seconds(s.creationDate),
      LastModificationDate: seconds(s.lastModificationDate),
      Target: { Arn: s.target.Arn },
    })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  });
};
