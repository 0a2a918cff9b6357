/**
 * An EventBridge Scheduler schedule in the config: a six-field cron and an IANA time zone,
 * firing at most once a day (a backup policy's nightly run, a policy's restore tests).
 */
import { cronBody, firesOnSomeDay, firesPerDay, parseSchedulerCron } from '@shipyard/aws-cron';
import * as z from 'zod';
import { isIanaTimeZone } from '../backup/time-zone.ts';

const timeZoneSchema = z
  .string()
  .refine(isIanaTimeZone, { message: 'not an IANA time zone (e.g. Europe/Berlin)' });

/**
 * Scheduled runs are named `<policy>-<local date>` (backupStart), so a second run on the same
 * local day would find ExecutionAlreadyExists and be lost: a schedule fires at most once a day.
 */
const schedulerCronSchema = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseSchedulerCron(value);
    if (!parsed.ok) {
      for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: `cron: ${problem}` });
      return;
    }
    const perDay = firesPerDay(parsed.cron);
    if (perDay > 1)
      ctx.addIssue({
        code: 'custom',
        message: `cron: fires ${perDay} times a day, expected at most once a day: scheduled runs are named <policy>-<local date>, so every run after the first on a day would be refused as already started and lost`,
      });
    if (!firesOnSomeDay(parsed.cron))
      ctx.addIssue({
        code: 'custom',
        message: `cron: never fires: no date from 1970 to 2199 matches its day-of-month, month, day-of-week and year fields`,
      });
  })
  .transform(cronBody);

export const scheduleSchema = z.object({ cron: schedulerCronSchema, timeZone: timeZoneSchema }).strict();
