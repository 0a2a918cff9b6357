/**
 * Deterministic resource ids: the same scenario after a reset yields the same ids, which
 * is what lets the conformance tests compare runs through different clients.
 * AWS ids are a prefix plus 17 hex digits (8 for some older resource types).
 */
export class IdGenerator {
  private readonly counters = new Map<string, number>();

  next(prefix: string, digits = 17): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${n.toString(16).padStart(digits, '0')}`;
  }

  /** Upper-case alphanumeric ids, as CloudFront uses (E2ABC…, I3XYZ…). */
  nextUpper(prefix: string, length = 14): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${n
      .toString(36)
      .toUpperCase()
      .padStart(length - prefix.length, '0')}`;
  }

  reset(): void {
    this.counters.clear();
  }
}

/** Checks an EC2-style id: `prefix-` followed by 8 or 17 lower-case hex digits. */
export const isEc2Id = (prefix: string, id: string): boolean =>
  new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
