// Builds whose job pg-boss gave up on outside a handler (the runner died on the last attempt, the
// job expired): they would stay "running" forever, so they finish as aborted (3).
import { abortLostBuild } from '@fc/builds';
import { startedUnfinishedBuilds, withTransaction, type Pool } from '@fc/db';
import type { Logger } from '@fc/logging';
import { QueueName, type Boss } from '@fc/queue';

/** One pass; returns the ids it aborted. */
export async function abortLostBuilds(pool: Pool, boss: Boss, logger: Logger): Promise<number[]> {
  const aborted: number[] = [];
  // A build whose claim is seconds old may not have its job settled yet.
  for (const build of await startedUnfinishedBuilds(pool, new Date(Date.now() - 10_000))) {
    if (!build.queueJobId) continue;
    const job = await boss.getJobById(QueueName.BuildDerivation, build.queueJobId);
    if (job && job.state !== 'failed' && job.state !== 'completed' && job.state !== 'cancelled') continue;
    const attempts = job ? job.retryCount + 1 : 0;
    const message = `aborted: the build's job ${job ? job.state : 'disappeared'} after ${attempts} attempt(s)`;
    const done = await withTransaction(pool, (tx) => abortLostBuild(tx, boss, build.id, message));
    if (done) {
      aborted.push(build.id);
      logger.warn('build aborted: its job failed for good', {
        buildId: build.id,
        jobId: build.queueJobId,
        attempts,
      });
    }
  }
  return aborted;
}
