// Hydra's queue controls over pg-boss: cancel (even mid-build), restart (same build id), bump (to the
// front). Each runs on a connection the caller owns, so the build row, the job change and what is
// published commit together.
import {
  evaluationBuildIdsWithStatus,
  lockBuildForQueue,
  raiseGlobalPriority,
  type BuildQueueRow,
  type Queryable,
} from '@fc/db';
import { BuildStatus, ConflictError, NotFoundError, RESTARTABLE_ABORTED, RESTARTABLE_FAILED } from '@fc/core';
import { QueueName, bossDb, buildJobPriority, type Boss } from '@fc/queue';
import { enqueueBuild } from './enqueue-build';
import { finishBuild } from './finish-build';
import { NO_PENDING_NOTICES, type BuildNotices } from './build-notices';
import { resetBuildForRestart } from './sql/build-state-queries';
import { clearFailedPathsOfBuild } from './sql/failed-path-queries';

/** NOTIFY channel on which a cancelled build's id is announced; queue runners LISTEN and kill it. */
export const BUILD_CANCEL_CHANNEL = 'fc_build_cancel';

async function lockOrThrow(db: Queryable, buildId: number): Promise<BuildQueueRow> {
  const row = await lockBuildForQueue(db, buildId);
  if (!row) throw new NotFoundError(`build ${buildId} does not exist`);
  return row;
}

/**
 * Cancels a queued or running build: it finishes with status 4; a queued job is cancelled in
 * pg-boss, and a running one is signalled (NOTIFY) so its queue runner kills the Nix process tree.
 */
export async function cancelBuild(db: Queryable, boss: Boss, buildId: number): Promise<void> {
  const row = await lockOrThrow(db, buildId);
  if (row.finished) throw new ConflictError(`build ${buildId} has already finished`);
  // Finished (4) now: reported like any finish. A runner killing it ends its steps and reports nothing more.
  await finishBuild(db, boss, buildId, {
    status: BuildStatus.Cancelled,
    errorMessage: 'cancelled by a user',
    busySteps: null,
  });
  if (row.queueJobId) {
    // Cancelling an active job is harmless: the runner's kill path completes it.
    await boss.cancel(QueueName.BuildDerivation, row.queueJobId, { db: bossDb(db) }).catch(() => undefined);
  }
  await db.query('SELECT pg_notify($1, $2)', [BUILD_CANCEL_CHANNEL, String(buildId)]);
}

/** Queues a finished build again under the same id. */
export async function restartBuild(
  db: Queryable,
  boss: Boss,
  buildId: number,
  notices: BuildNotices = NO_PENDING_NOTICES,
): Promise<void> {
  const row = await lockOrThrow(db, buildId);
  if (!row.finished) throw new ConflictError(`build ${buildId} is still queued or running`);
  // Hydra: a restart clears the failed-paths cache of what the build needs, so it is built again.
  await clearFailedPathsOfBuild(db, buildId);
  await resetBuildForRestart(db, buildId);
  await enqueueBuild(db, boss, row, notices);
}

/** Restarts an evaluation's aborted (3, 4, 9) or failed (every non-zero status) builds. */
export async function restartEvaluationBuilds(
  db: Queryable,
  boss: Boss,
  evaluationId: number,
  which: 'aborted' | 'failed',
  notices: BuildNotices = NO_PENDING_NOTICES,
): Promise<number[]> {
  const statuses = which === 'aborted' ? RESTARTABLE_ABORTED : RESTARTABLE_FAILED;
  const ids = await evaluationBuildIdsWithStatus(db, evaluationId, statuses);
  for (const id of ids) await restartBuild(db, boss, id, notices);
  return ids;
}

/** Moves a queued build to the front: highest global priority, and its queued job's priority raised in place. */
export async function bumpBuild(db: Queryable, boss: Boss, buildId: number): Promise<void> {
  const row = await lockOrThrow(db, buildId);
  if (row.finished) throw new ConflictError(`build ${buildId} has already finished`);
  const globalPriority = await raiseGlobalPriority(db, buildId);
  if (row.queueJobId) {
    await boss.update(QueueName.BuildDerivation, undefined, {
      id: row.queueJobId,
      priority: buildJobPriority(globalPriority, row.priority),
      db: bossDb(db),
    });
  }
}
