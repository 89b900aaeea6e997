// Values that take a scan to compute, one per key (a large evaluation's comparison): each is a
// RefreshedValue, computed at most every `maxAgeMs` in the background and served from memory
// meanwhile; past `maxKeys` the least recently read goes.
import type { Logger } from '@fc/logging';
import { RefreshedValue } from './refreshed-value';

export class RefreshedValues<T> {
  private readonly values = new Map<string, RefreshedValue<T>>();

  constructor(
    private readonly what: string,
    private readonly maxAgeMs: number,
    private readonly maxKeys: number,
    private readonly logger: Logger,
  ) {}

  /** The value of `key`: `read`'s first answer, then a snapshot at most `maxAgeMs` old plus a refresh. */
  async get(key: string, read: () => Promise<T>): Promise<T> {
    const value =
      this.values.get(key) ?? new RefreshedValue(`${this.what} ${key}`, read, this.maxAgeMs, this.logger);
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently read.
    this.values.delete(key);
    this.values.set(key, value);
    while (this.values.size > this.maxKeys) this.values.delete(this.values.keys().next().value!);
    return (await value.get()).value;
  }

  /** Forgets the values whose key starts with `prefix` (after an action that changes them). */
  invalidate(prefix: string): void {
    for (const key of [...this.values.keys()]) if (key.startsWith(prefix)) this.values.delete(key);
  }
}
