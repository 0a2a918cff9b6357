import * as z from 'zod';

/**
 * A value that changes at given simulated instants (an endpoint's health, an alarm's state),
 * set from the control API ahead of time so a test can say "unhealthy from 10:05" and let
 * the clock run. Entries stay sorted by instant; the last one at or before `now` holds.
 */
export interface Timeline<T> {
  entries: { at: number; value: T }[];
}

export const emptyTimeline = <T>(): Timeline<T> => ({ entries: [] });

export const setFrom = <T>(timeline: Timeline<T>, at: number, value: T): void => {
  // A later setting for the same or an earlier instant replaces what followed it.
  timeline.entries = timeline.entries.filter((e) => e.at < at);
  timeline.entries.push({ at, value });
};

export const valueAt = <T>(timeline: Timeline<T>, now: number): { at: number; value: T } | undefined => {
  let found: { at: number; value: T } | undefined;
  for (const entry of timeline.entries) if (entry.at <= now) found = entry;
  return found;
};

/** `at` of a control request: an ISO instant, or now when absent. */
export const AtSchema = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), { message: 'an ISO instant like 2026-12-02T10:05:00Z' })
  .optional();

export const instantOf = (at: string | undefined, now: number): number =>
  at === undefined ? now : Date.parse(at);
