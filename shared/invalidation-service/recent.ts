/**
 * A bounded set of recently seen ids (insertion order, oldest evicted). Per container only:
 * it saves work on a quick redelivery; correctness never depends on it (deterministic
 * CallerReferences make a second submission free).
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 1000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}
