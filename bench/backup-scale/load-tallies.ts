/**
 * How loaded the bench's one process was: each handler's real time per function (at ×speed a
 * real second is `speed` simulated seconds, so a slow ResumeWait is a slot left idle in simulated
 * time), and the event loop's delay (how late a ready callback ran: time every simulated Lambda,
 * Step Functions state and local AWS request waited for the process, not for AWS).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

interface HandlerTimes {
  calls: number;
  /** Real milliseconds: median, 95th percentile and largest. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface LoadTally {
  /** Per function key (as `observe` names them). */
  handlers: Record<string, HandlerTimes>;
  /** The event loop's delay over the run, real ms: median, 99th percentile and largest. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

const ms = (n: number) => Number(n.toFixed(1));

/** `record` each handler's real ms; `stop` ends the event loop's monitor and sums up. */
export function loadTally() {
  const byKey = new Map<string, number[]>();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  return {
    record(key: string, realMs: number) {
      const times = byKey.get(key) ?? [];
      byKey.set(key, times);
      times.push(realMs);
    },
    stop(): LoadTally {
      delay.disable();
      const handlers: Record<string, HandlerTimes> = {};
      for (const [key, times] of byKey) {
        const sorted = [...times].sort((a, b) => a - b);
        handlers[key] = {
          calls: sorted.length,
          p50Ms: ms(percentile(sorted, 0.5)),
          p95Ms: ms(percentile(sorted, 0.95)),
          maxMs: ms(sorted.at(-1) ?? 0),
        };
      }
      // The histogram is in nanoseconds.
      const toMs = (ns: number) => ms(ns / 1e6);
      return {
        handlers,
        eventLoopDelayMs: {
          p50: toMs(delay.percentile(50)),
          p99: toMs(delay.percentile(99)),
          max: toMs(delay.max),
        },
      };
    },
  };
}
