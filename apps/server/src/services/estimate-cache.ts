// The planner's estimates of long lists' totals, kept a while per filter: an estimate costs a round
// trip to PostgreSQL and moves slowly, so a page past the exact-count cap reuses the last one.

export class EstimateCache {
  private readonly entries = new Map<string, { readonly value: Promise<number>; readonly at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether an estimate for `key` younger than the TTL is kept: the lists read an estimate only
   * for a filter that counted past their cap, so this says such a count was made a moment ago.
   */
  has(key: string): boolean {
    const hit = this.entries.get(key);
    return hit !== undefined && this.now() - hit.at <= this.ttlMs;
  }

  /** The estimate for `key`, from `read` when there is none younger than the TTL. */
  get(key: string, read: () => Promise<number>): Promise<number> {
    const at = this.now();
    const hit = this.entries.get(key);
    if (hit && at - hit.at <= this.ttlMs) return hit.value;
    const value = read();
    this.entries.delete(key);
    this.entries.set(key, { value, at });
    // A failed read is not kept.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    // The oldest entries go first (a Map iterates in insertion order).
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
