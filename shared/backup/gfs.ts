/**
 * Grandfather-father-son periods, computed in the policy's time zone (a backup at 00:30 in
 * Berlin belongs to that Berlin day, whatever the UTC date; DST changes only move the UTC
 * offset, never the local calendar).
 */
import { DateTime } from 'luxon';
import { InvalidBackupInput } from './errors.ts';
import { isIanaTimeZone } from './time-zone.ts';

export type GfsPeriod = 'daily' | 'weekly' | 'monthly' | 'yearly';
export const GFS_PERIODS: readonly GfsPeriod[] = ['daily', 'weekly', 'monthly', 'yearly'];

const FORMATS: Record<GfsPeriod, string> = {
  daily: 'yyyy-MM-dd',
  weekly: "kkkk-'W'WW",
  monthly: 'yyyy-MM',
  yearly: 'yyyy',
};

/**
 * Throws `InvalidBackupInput` unless `timeZone` is an IANA zone name.
 *
 * @example
 * assertTimeZone('Europe/Berlin'); // ok
 */
export function assertTimeZone(timeZone: string): void {
  if (!isIanaTimeZone(timeZone)) throw new InvalidBackupInput(`invalid time zone: ${timeZone}`);
}

/**
 * The period an instant falls in, in `timeZone`: `2026-11-20`, `2026-W47` (ISO week),
 * `2026-11`, `2026`.
 *
 * @example
 * gfsBucket(Date.parse('2026-10-24T22:30:00Z'), 'Europe/Berlin', 'daily');  // '2026-10-25'
 * gfsBucket(Date.parse('2026-03-09T02:30:00Z'), 'America/New_York', 'weekly'); // '2026-W10'
 */
export function gfsBucket(epochMs: number, timeZone: string, period: GfsPeriod): string {
  assertTimeZone(timeZone);
  return DateTime.fromMillis(epochMs, { zone: timeZone }).toFormat(FORMATS[period]);
}
