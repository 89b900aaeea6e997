// The queue as people read it: queued builds in the order the queue runners take them, and the
// running builds with their machine and queue runner.
import {
  listQueuedBuildsInOrder,
  listRunningBuilds,
  liveBuildCounts,
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
  constructor(private readonly pool: Pool) {}

  async queue(limit: number): Promise<BuildQueue> {
    const [queued, running, counts] = await Promise.all([
      listQueuedBuildsInOrder(this.pool, limit),
      listRunningBuilds(this.pool, limit),
      liveBuildCounts(this.pool),
    ]);
    return { queued, running, queuedTotal: counts.queued, runningTotal: counts.running };
  }
}
