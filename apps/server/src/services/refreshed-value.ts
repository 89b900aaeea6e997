// A value that takes a scan to compute (per-status counts of every finished build, builds finished
// in the last day): computed at most every `maxAgeMs` in the background and served from memory
// meanwhile, so requests never wait for the scan but the first one.
import type { Logger } from '@fc/logging';

export interface Snapshot<T> {
  readonly value: T;
  readonly takenAt: Date;
}

export class RefreshedValue<T> {
  private snapshot: Snapshot<T> | undefined;
  private refreshing: Promise<Snapshot<T>> | undefined;
  /** Bumped by invalidate(): a read begun before it is not kept. */
  private generation = 0;

  constructor(
    private readonly what: string,
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly logger: Logger,
  ) {}

  /** The current snapshot; waits only when there is none yet, otherwise refreshes in the background. */
  async get(): Promise<Snapshot<T>> {
    const current = this.snapshot;
    if (!current) return this.refresh();
    if (Date.now() - current.takenAt.getTime() >= this.maxAgeMs) {
      this.refresh().catch((e: unknown) =>
        this.logger.warn(`${this.what} refresh failed`, { error: (e as Error).message }),
      );
    }
    return current;
  }

  /** Forgets the snapshot (after an action that changes it, so its caller sees the change). */
  invalidate(): void {
    this.snapshot = undefined;
    this.refreshing = undefined;
    this.generation++;
  }

  private refresh(): Promise<Snapshot<T>> {
    if (this.refreshing) return this.refreshing;
    const generation = this.generation;
    const takenAt = new Date();
    const refreshing: Promise<Snapshot<T>> = this.read().then(
      (value) => {
        const snapshot = { takenAt, value };
        // A read begun before invalidate() may miss the change: it is answered, not kept.
        if (generation === this.generation) this.snapshot = snapshot;
        if (this.refreshing === refreshing) this.refreshing = undefined;
        return snapshot;
      },
      (e: unknown) => {
        if (this.refreshing === refreshing) this.refreshing = undefined;
        throw e;
      },
    );
    this.refreshing = refreshing;
    return refreshing;
  }
}
