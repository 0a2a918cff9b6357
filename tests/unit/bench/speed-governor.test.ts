import { describe, expect, it } from 'vitest';
import { governSpeed, MAX_HALVINGS, nextHalvings } from '../../../bench/backup-scale/speed-governor.ts';

/** A simulated clock on a manual real time: `speed` simulated ms per real ms since its last change. */
function manualClock(realNow: () => number) {
  let anchorReal = realNow();
  let anchorSim = 0;
  let speed = 0;
  return {
    get speed() {
      return speed;
    },
    now: () => anchorSim + (realNow() - anchorReal) * speed,
    setSpeed(next: number) {
      anchorSim += (realNow() - anchorReal) * speed;
      anchorReal = realNow();
      speed = next;
    },
  };
}

/** A governed clock on a manual real time, ticked by hand with the given utilizations. */
function governed(target: number, utilizations: number[]) {
  let real = 0;
  const clock = manualClock(() => real);
  let tick = () => {};
  let cancelled = false;
  const governor = governSpeed(clock, target, {
    utilization: () => utilizations.shift() ?? 0,
    every: (fn) => {
      tick = fn;
      return () => {
        cancelled = true;
      };
    },
    realNow: () => real,
  });
  /** `ms` of real time pass, then one window ends; the speed after it. */
  const window = (ms: number) => {
    real += ms;
    tick();
    return clock.speed;
  };
  return { clock, governor, window, cancelled: () => cancelled };
}

describe('the bench clock governor', () => {
  it('halves the pace after each saturated window, down to target / 2^MAX_HALVINGS, and recovers', () => {
    const { window } = governed(40, [0.95, 0.95, 0.95, 0.95, 0.95, 0.3, 0.3, 0.3, 0.3]);
    const speeds = Array.from({ length: 9 }, () => window(250));
    expect(MAX_HALVINGS).toBe(3);
    expect(speeds).toEqual([20, 10, 5, 5, 5, 10, 20, 40, 40]);
  });

  it('keeps its pace while the loop is between roomy and saturated', () => {
    expect(nextHalvings(2, 0.75)).toBe(2);
    expect(nextHalvings(0, 0.75)).toBe(0);
    expect(nextHalvings(0, 0.2)).toBe(0);
  });

  it('reports the mean pace and the share of simulated time spent slowed', () => {
    const { governor, window, cancelled } = governed(40, [0.95, 0.3]);
    window(1_000); // 40,000 sim ms at ×40; slows to ×20
    window(1_000); // 20,000 sim ms at ×20, slowed; back to ×40
    window(1_000); // 40,000 sim ms at ×40
    const report = governor.stop();
    expect(cancelled()).toBe(true);
    expect(report.meanSpeed).toBeCloseTo(100_000 / 3_000, 6);
    expect(report.slowedShare).toBeCloseTo(0.2, 6);
    expect(report.slowestSpeed).toBe(20);
    expect(report.targetSpeed).toBe(40);
  });

  it('moves the simulated clock forward only, whatever its pace', () => {
    const { clock, window } = governed(40, [0.95, 0.95, 0.95]);
    const seen = [clock.now()];
    for (let i = 0; i < 3; i += 1) {
      window(100);
      seen.push(clock.now());
    }
    expect(seen).toEqual([0, 4_000, 6_000, 7_000]);
  });
});
