/**
 * Keeps the bench's simulated time honest when its one process is saturated. The bench runs
 * every Lambda, Step Functions state and local AWS request on one event loop, and a handler's
 * real time counts as simulated time (× speed). On AWS each invocation has its own CPU and
 * connections; here, in a burst (hundreds of copies ending in a simulated minute), handlers
 * wait for the loop, and at ×40 each real second of that wait is 40 simulated seconds that no
 * AWS limit imposed. So while the loop is saturated the clock slows (down to `target / 8`),
 * and it speeds back up once the loop has room: a handler's simulated time stays about its own
 * work, not its queueing, and the makespan depends less on how fast the machine is.
 */
import { performance } from 'node:perf_hooks';

/** Event-loop utilization above which the clock slows down, below which it speeds up again. */
const SATURATED = 0.9;
const ROOMY = 0.6;
/** How often the loop's utilization is read (real ms). */
const WINDOW_MS = 250;
/** The slowest pace: target / 2^MAX_HALVINGS. */
export const MAX_HALVINGS = 3;

export interface GovernedClock {
  readonly speed: number;
  setSpeed(speed: number): void;
  now(): number;
}

export interface GovernorReport {
  /** The pace asked for (simulated ms per real ms). */
  targetSpeed: number;
  /** Simulated ms ÷ real ms over the run: the pace the run actually had. */
  meanSpeed: number;
  /** Share of the run's simulated time spent below the target pace. */
  slowedShare: number;
  /** The slowest pace the run went down to. */
  slowestSpeed: number;
}

/** Halvings of the target pace after a window with this event-loop utilization (0–1). */
export const nextHalvings = (halvings: number, utilization: number): number =>
  utilization > SATURATED
    ? Math.min(MAX_HALVINGS, halvings + 1)
    : utilization < ROOMY
      ? Math.max(0, halvings - 1)
      : halvings;

/** The event loop's utilization since the previous call (Node's `eventLoopUtilization`). */
const loopUtilization = () => {
  let previous = performance.eventLoopUtilization();
  return () => {
    const current = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(current, previous);
    previous = current;
    return utilization;
  };
};

export interface GovernorOptions {
  /** Utilization of the loop since the last call; Node's event loop by default. */
  utilization?: () => number;
  /** Calls `tick` every window until the returned function is called; setInterval by default. */
  every?: (tick: () => void) => () => void;
  realNow?: () => number;
}

/** Governs `clock` from now on; `stop` ends it (the clock keeps its last pace) and reports. */
export function governSpeed(clock: GovernedClock, target: number, options: GovernorOptions = {}) {
  const utilization = options.utilization ?? loopUtilization();
  const realNow = options.realNow ?? (() => performance.now());
  const every =
    options.every ??
    ((tick: () => void) => {
      const timer = setInterval(tick, WINDOW_MS);
      return () => clearInterval(timer);
    });
  let halvings = 0;
  let slowest = target;
  let slowedSimMs = 0;
  const beganReal = realNow();
  const beganSim = clock.now();
  let windowSim = beganSim;
  const account = () => {
    const sim = clock.now();
    if (halvings > 0) slowedSimMs += sim - windowSim;
    windowSim = sim;
    return sim;
  };
  clock.setSpeed(target);
  const cancel = every(() => {
    account();
    const next = nextHalvings(halvings, utilization());
    if (next === halvings) return;
    halvings = next;
    const speed = target / 2 ** halvings;
    slowest = Math.min(slowest, speed);
    clock.setSpeed(speed);
  });
  return {
    /** The slowest pace the governor may set: what a caller sizing real-time waits must assume. */
    slowestPossible: target / 2 ** MAX_HALVINGS,
    stop(): GovernorReport {
      cancel();
      const simMs = account() - beganSim;
      return {
        targetSpeed: target,
        meanSpeed: simMs / Math.max(1, realNow() - beganReal),
        slowedShare: simMs === 0 ? 0 : slowedSimMs / simMs,
        slowestSpeed: slowest,
      };
    },
  };
}

/** The report of a run at a fixed pace. */
export const fixedPace = (speed: number): GovernorReport => ({
  targetSpeed: speed,
  meanSpeed: speed,
  slowedShare: 0,
  slowestSpeed: speed,
});
