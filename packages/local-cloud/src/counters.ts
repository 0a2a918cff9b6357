/** Calls per service, action and region, plus named tallies (e.g. invalidation paths billed). */
export class Counters {
  private readonly calls = new Map<string, number>();
  private readonly tallies = new Map<string, number>();

  recordCall(service: string, action: string, region: string): void {
    const key = `${service}|${action}|${region}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  add(name: string, amount = 1): void {
    this.tallies.set(name, (this.tallies.get(name) ?? 0) + amount);
  }

  get(name: string): number {
    return this.tallies.get(name) ?? 0;
  }

  callCount(filter: { service?: string; action?: string; region?: string } = {}): number {
    let total = 0;
    for (const [key, n] of this.calls) {
      const [service, action, region] = key.split('|');
      if (filter.service && filter.service !== service) continue;
      if (filter.action && filter.action !== action) continue;
      if (filter.region && filter.region !== region) continue;
      total += n;
    }
    return total;
  }

  snapshot(): CountersSnapshot {
    const calls: CountersSnapshot['calls'] = [];
    for (const [key, count] of this.calls) {
      const [service = '', action = '', region = ''] = key.split('|');
      calls.push({ service, action, region, count });
    }
    calls.sort((a, b) =>
      `${a.service}${a.action}${a.region}`.localeCompare(`${b.service}${b.action}${b.region}`),
    );
    return { calls, tallies: Object.fromEntries(this.tallies) };
  }

  reset(): void {
    this.calls.clear();
    this.tallies.clear();
  }
}

export interface CountersSnapshot {
  calls: { service: string; action: string; region: string; count: number }[];
  tallies: Record<string, number>;
}
