// Builds whose runner let go of them: handed back to the queue (the runner is stopping), or aborted
// (3) when pg-boss gave up on their job outside a handler (the runner died on its last attempt, the
// job expired).
import { lockBuildForRun, type Queryable } from '@fc/db';
import { BuildStatus } from '@fc/core';
import type { Boss } from '@fc/queue';
import { deferBuild } from './enqueue-build';
import { finishBuild } from './finish-build';
import { returnBuildToQueue } from './sql/build-state-queries';

/**
 * Puts a running build back in the queue under a new job, unless it finished or moved to another job
 * meanwhile. Returns whether it was handed back.
 */
export async function handBackBuild(
  db: Queryable,
  boss: Boss,
  buildId: number,
  jobId: string,
): Promise<boolean> {
  const current = await lockBuildForRun(db, buildId);
  if (!current || current.finished || current.queueJobId !== jobId) return false;
  await deferBuild(db, boss, current);
  await returnBuildToQueue(db, buildId);
  return true;
}

/** Finishes a build whose job is gone as aborted (3), its busy steps with it. */
export async function abortLostBuild(
  db: Queryable,
  boss: Boss,
  buildId: number,
  message: string,
): Promise<boolean> {
  return finishBuild(db, boss, buildId, {
    status: BuildStatus.Aborted,
    errorMessage: message,
    busySteps: { status: BuildStatus.Aborted, errorMessage: message },
  });
}
