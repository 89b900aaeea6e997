// The per-status counts of finished builds take a scan of every finished build (~100 ms at a
// million rows), so they are refreshed in the background at most every `maxAgeMs` and served from
// memory meanwhile. Queued and running counts are always read live.
import type { Logger } from '@fc/logging';

export interface CountsSnapshot {
  readonly counts: ReadonlyMap<number, number>;
  readonly takenAt: Date;
}

export class BuildStatsCache {
  private snapshot: CountsSnapshot | undefined;
  private refreshing: Promise<CountsSnapshot> | undefined;

  constructor(
    private readonly read: () => Promise<Map<number, number>>,
    private readonly maxAgeMs: number,
    private readonly logger: Logger,
  ) {}

  /** The current snapshot; waits only when there is none yet, otherwise refreshes in the background. */
  async get(): Promise<CountsSnapshot> {
    const current = this.snapshot;
    if (!current) return this.refresh();
    if (Date.now() - current.takenAt.getTime() > this.maxAgeMs) {
      this.refresh().catch((e: unknown) =>
        this.logger.warn('build status counts refresh failed', { error: (e as Error).message }),
      );
    }
    return current;
  }

  /** Forgets the snapshot (after an action that changes statuses, so its caller sees the change). */
  invalidate(): void {
    this.snapshot = undefined;
  }

  private refresh(): Promise<CountsSnapshot> {
    this.refreshing ??= (async () => {
      try {
        const takenAt = new Date();
        const counts = await this.read();
        this.snapshot = { counts, takenAt };
        return this.snapshot;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}
