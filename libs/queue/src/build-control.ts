// Hydra's queue semantics over pg-boss: enqueue, cancel (even mid-build), restart (same build id),
// bump (to the front). Each runs on a connection the caller owns, so the build row and the job
// change commit together.
import {
  evaluationBuildIdsWithStatus,
  lockBuildForQueue,
  markBuildCancelled,
  raiseGlobalPriority,
  resetBuildForRestart,
  setBuildQueueJob,
  type BuildQueueRow,
  type Queryable,
} from '@fc/db';
import { NotFoundError, ConflictError, RESTARTABLE_ABORTED } from '@fc/core';
import type { PgBoss } from 'pg-boss';
import { BUILD_HEARTBEAT_SECONDS, bossDb, sendJob } from './boss';
import { buildJobPriority } from './build-priority';
import { QueueName } from './job-registry';

/** NOTIFY channel on which a cancelled build's id is announced; queue runners LISTEN and kill it. */
export const BUILD_CANCEL_CHANNEL = 'fc_build_cancel';

export interface EnqueueOptions {
  /** Do not start before this time (a build deferred until a builder or its constituents are ready). */
  readonly notBefore?: Date;
}

/** Sends the build-derivation job of a queued build and records its id on the row. */
export async function enqueueBuild(
  db: Queryable,
  boss: PgBoss,
  build: { id: number; priority: number; globalPriority: number },
  options: EnqueueOptions = {},
): Promise<string> {
  const jobId = await sendJob(
    boss,
    QueueName.BuildDerivation,
    { buildId: build.id },
    {
      db,
      priority: buildJobPriority(build.globalPriority, build.priority),
      ...(options.notBefore ? { startAfter: options.notBefore } : {}),
      heartbeatSeconds: BUILD_HEARTBEAT_SECONDS,
    },
  );
  if (!jobId) throw new Error(`pg-boss did not accept the build job of build ${build.id}`);
  await setBuildQueueJob(db, build.id, jobId);
  return jobId;
}

async function lockOrThrow(db: Queryable, buildId: number): Promise<BuildQueueRow> {
  const row = await lockBuildForQueue(db, buildId);
  if (!row) throw new NotFoundError(`build ${buildId} does not exist`);
  return row;
}

/**
 * Cancels a queued or running build: it finishes with status 4; a queued job is cancelled in
 * pg-boss, and a running one is signalled (NOTIFY) so its queue runner kills the Nix process tree.
 */
export async function cancelBuild(db: Queryable, boss: PgBoss, buildId: number): Promise<void> {
  const row = await lockOrThrow(db, buildId);
  if (row.finished) throw new ConflictError(`build ${buildId} has already finished`);
  await markBuildCancelled(db, buildId);
  // Finished (4) now: reported like any finish. A runner killing it reports nothing more.
  await sendJob(boss, QueueName.NotifyBuild, { buildId, event: 'finished' }, { db });
  if (row.queueJobId) {
    // Cancelling an active job is harmless: the runner's kill path completes it.
    await boss.cancel(QueueName.BuildDerivation, row.queueJobId, { db: bossDb(db) }).catch(() => undefined);
  }
  await db.query('SELECT pg_notify($1, $2)', [BUILD_CANCEL_CHANNEL, String(buildId)]);
}

/** Queues a finished build again under the same id. */
export async function restartBuild(db: Queryable, boss: PgBoss, buildId: number): Promise<void> {
  const row = await lockOrThrow(db, buildId);
  if (!row.finished) throw new ConflictError(`build ${buildId} is still queued or running`);
  await resetBuildForRestart(db, buildId);
  await enqueueBuild(db, boss, row);
}

/** Restarts an evaluation's aborted (3, 4, 9) or failed (every non-zero status) builds. */
export async function restartEvaluationBuilds(
  db: Queryable,
  boss: PgBoss,
  evaluationId: number,
  which: 'aborted' | 'failed',
): Promise<number[]> {
  const statuses = which === 'aborted' ? RESTARTABLE_ABORTED : [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12];
  const ids = await evaluationBuildIdsWithStatus(db, evaluationId, statuses);
  for (const id of ids) await restartBuild(db, boss, id);
  return ids;
}

/** Moves a queued build to the front: highest global priority, and its queued job's priority raised in place. */
export async function bumpBuild(db: Queryable, boss: PgBoss, buildId: number): Promise<void> {
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
