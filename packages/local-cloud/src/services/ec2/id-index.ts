/**
 * Resources of one kind kept in id order, so a page cursor (the last id returned) finds its
 * place by binary search and pages stay stable while items are created or deleted between
 * requests. Generated ids are fixed-width hex counters, so new ones almost always append.
 */
export class IdIndex<T extends { id: string }> {
  private readonly byId = new Map<string, T>();
  private readonly order: string[] = [];

  get size(): number {
    return this.order.length;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  add(item: T): void {
    if (this.byId.has(item.id)) throw new RangeError(`duplicate id ${item.id}`);
    this.byId.set(item.id, item);
    const last = this.order[this.order.length - 1];
    if (last === undefined || last < item.id) this.order.push(item.id);
    else this.order.splice(this.indexAfter(item.id), 0, item.id);
  }

  delete(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    const at = this.indexAfter(id) - 1;
    if (this.order[at] === id) this.order.splice(at, 1);
    return true;
  }

  /** Position of the first id strictly greater than `id`. */
  indexAfter(id: string): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.order[mid] ?? '') <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  at(position: number): T | undefined {
    const id = this.order[position];
    return id === undefined ? undefined : this.byId.get(id);
  }

  *values(): IterableIterator<T> {
    for (const id of this.order) {
      const item = this.byId.get(id);
      if (item) yield item;
    }
  }
}
