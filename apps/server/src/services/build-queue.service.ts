// The queue as people read it: queued builds in the order the queue runners take them, and the
// running builds with their machine and queue runner, each list capped, the totals from the row counts.
import {
  listQueuedBuildsInOrder,
  listRunningBuilds,
  type Pool,
  type QueuedBuildRow,
  type RunningBuildRow,
} from '@fc/db';

export interface BuildQueue {
  readonly queued: QueuedBuildRow[];
  readonly running: RunningBuildRow[];
  readonly queuedTotal: number;
  readonly runningTotal: number;
}

export class BuildQueueService {
  constructor(
    private readonly pool: Pool,
    /** Queued and running builds (BuildService.queueCounts: the row counts, not a count of the queue). */
    private readonly counts: () => Promise<{ queued: number; running: number }>,
  ) {}

  async queue(limit: number): Promise<BuildQueue> {
    const [queued, running, counts] = await Promise.all([
      listQueuedBuildsInOrder(this.pool, limit),
      listRunningBuilds(this.pool, limit),
      this.counts(),
    ]);
    return { queued, running, queuedTotal: counts.queued, runningTotal: counts.running };
  }
}
