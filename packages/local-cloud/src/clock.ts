/**
 * The local cloud's clock: real time multiplied by a speed factor, plus explicit jumps.
 * Every asynchronous state in the local cloud (snapshot progress, AMI availability,
 * invalidation completion) is derived from `now()`, so advancing the clock is all it
 * takes to move the simulated account forward.
 */
export interface ClockOptions {
  /** Simulated epoch ms at creation; defaults to the real time. */
  start?: number;
  /** Simulated ms per real ms; 1 is real time. */
  speed?: number;
  /** Real time source, injectable for tests. */
  realNow?: () => number;
}

export class SimClock {
  private readonly realNow: () => number;
  private anchorReal: number;
  private anchorSim: number;
  private speedFactor: number;
  private readonly listeners = new Set<() => void>();

  constructor(options: ClockOptions = {}) {
    this.realNow = options.realNow ?? Date.now;
    this.anchorReal = this.realNow();
    this.anchorSim = options.start ?? this.anchorReal;
    this.speedFactor = options.speed ?? 1;
  }

  now(): number {
    return Math.floor(this.anchorSim + (this.realNow() - this.anchorReal) * this.speedFactor);
  }

  /**
   * Calls `listener` after every change of pace or jump, so a waiter can sleep until its
   * simulated deadline instead of polling the clock. Returns the unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get speed(): number {
    return this.speedFactor;
  }

  /** Changes the speed from now on without moving the current simulated time. */
  setSpeed(speed: number): void {
    if (!(speed >= 0) || !Number.isFinite(speed))
      throw new RangeError(`speed must be a finite number >= 0, got ${speed}`);
    this.rebase();
    this.speedFactor = speed;
    this.notify();
  }

  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms))
      throw new RangeError(`advance takes a finite number of ms >= 0, got ${ms}`);
    this.rebase();
    this.anchorSim += ms;
    this.notify();
  }

  /** Jumps to an absolute simulated time (never backwards). */
  set(epochMs: number): void {
    const current = this.now();
    if (epochMs < current) throw new RangeError('the clock never goes backwards');
    this.advance(epochMs - current);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private rebase(): void {
    const real = this.realNow();
    this.anchorSim = this.anchorSim + (real - this.anchorReal) * this.speedFactor;
    this.anchorReal = real;
  }
}
