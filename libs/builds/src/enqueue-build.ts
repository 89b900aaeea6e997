// Queueing a build: its build-derivation job, sent on the caller's transaction, and the job's id on
// the build row. A new build (or a restarted one) is announced on build_queued; a deferred one is
// only put back with a later start.
import { randomUUID } from 'node:crypto';
import { setBuildQueueJob, type Queryable } from '@fc/db';
import {
  BUILD_HEARTBEAT_SECONDS,
  QueueName,
  buildJobGroup,
  buildJobPriority,
  sendJob,
  type Boss,
} from '@fc/queue';
import { NO_PENDING_NOTICES, publishNotices, type BuildNotices } from './build-notices';
import { hydraEvent, publishEvents } from './hydra-events';

export interface QueuedBuild {
  readonly id: number;
  readonly priority: number;
  readonly globalPriority: number;
  /** Its jobset: the job's pg-boss group, by which builders are shared between jobsets. */
  readonly jobsetId: number;
}

/** Sends the build-derivation job of a queued build and records its id on the row. */
async function sendBuildJob(
  db: Queryable,
  boss: Boss,
  build: QueuedBuild,
  notBefore?: Date,
): Promise<string> {
  const jobId = await sendJob(
    boss,
    QueueName.BuildDerivation,
    { buildId: build.id },
    {
      db,
      priority: buildJobPriority(build.globalPriority, build.priority),
      group: buildJobGroup(build.jobsetId),
      ...(notBefore ? { startAfter: notBefore } : {}),
      heartbeatSeconds: BUILD_HEARTBEAT_SECONDS,
    },
  );
  if (!jobId) throw new Error(`pg-boss did not accept the build job of build ${build.id}`);
  await setBuildQueueJob(db, build.id, jobId);
  return jobId;
}

/** Queues an unfinished build (new, or restarted: its row already reset). */
export async function enqueueBuild(
  db: Queryable,
  boss: Boss,
  build: QueuedBuild,
  notices: BuildNotices = NO_PENDING_NOTICES,
): Promise<string> {
  const jobId = await sendBuildJob(db, boss, build);
  await publishEvents(db, [hydraEvent.buildQueued(build.id)]);
  if (notices.pendingStatuses) await publishNotices(db, boss, [build.id], 'queued');
  return jobId;
}

/**
 * Puts a claimed build back in the queue under a new job, to be tried again no earlier than
 * `notBefore` (a builder for its system, or its constituents, are not ready yet), or at once (its
 * runner handed it back). Nothing is announced: for its watchers it has stayed queued.
 */
export async function deferBuild(
  db: Queryable,
  boss: Boss,
  build: QueuedBuild,
  notBefore?: Date,
): Promise<string> {
  return sendBuildJob(db, boss, build, notBefore);
}

/** A fresh id for a build's pg-boss job, to store on the row before the job exists (bulk inserts). */
export function newBuildJobId(): string {
  return randomUUID();
}
