/**
 * Zero side effects, read from the local cloud's counters: no call that creates, changes,
 * deletes, sends or reports anything (reads are allowed), except those a case expects.
 */
import type { ControlClient } from '@shipyard/local-cloud';

const MUTATING =
  /^(Create|Register|Copy|Deregister|Delete|Modify|Put|Send|Start|Stop|Update|Tag|Untag|Reset|Enable|Disable)/;

export async function mutatingCalls(control: ControlClient): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of (await control.counters()).calls)
    if (MUTATING.test(c.action))
      out[`${c.service}:${c.action}`] = (out[`${c.service}:${c.action}`] ?? 0) + c.count;
  return out;
}

/** Mutating calls made between two snapshots. */
export const newCalls = (
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, n]) => [k, n - (before[k] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );

export interface Observed {
  name: string;
  message: string;
}

/** The error a call threw (or `no error`), as name + message. */
export async function thrown(run: () => Promise<unknown>): Promise<Observed> {
  try {
    await run();
    return { name: 'no error', message: '' };
  } catch (error) {
    return error instanceof Error
      ? { name: error.name, message: error.message }
      : { name: typeof error, message: String(error) };
  }
}

export interface HostileCase {
  name: string;
  act: () => Promise<Observed>;
  /** The error name (or `HTTP <status>` for a webhook answer). */
  error: string;
  /** What the message must say: the field at fault and what was expected. */
  message: RegExp;
  /** Mutating calls the case legitimately makes (e.g. reporting a failed CodePipeline job). */
  allowed?: Record<string, number>;
}
