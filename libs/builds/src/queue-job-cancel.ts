// "Cancel" and "Resume" on a pg-boss job from the admin's queue inspection, in FC's terms:
// - cancelling a build-derivation job of an unfinished build cancels the build (status 4, a running
//   one is killed), as the build page's Cancel does; any other waiting or active job is cancelled in
//   pg-boss (an evaluation whose job is cancelled is recorded as abandoned by the evaluator).
// - resuming a cancelled build-derivation job of a finished build restarts the build (same id, new
//   job); any other cancelled job goes back to waiting.
import { ConflictError } from '@fc/core';
import type { Queryable } from '@fc/db';
import { QueueName, bossDb, type Boss } from '@fc/queue';
import { NO_PENDING_NOTICES, type BuildNotices } from './build-notices';
import { cancelBuild, restartBuild } from './queue-control';
import { jobOrThrow, requeueJob } from './queue-job-requeue';

export type CancelOutcome =
  | { readonly kind: 'build-cancelled'; readonly buildId: number }
  | { readonly kind: 'job-cancelled'; readonly jobId: string };

export type ResumeOutcome =
  | { readonly kind: 'build-restarted'; readonly buildId: number }
  | { readonly kind: 'job-resumed'; readonly jobId: string };

export async function cancelQueueJob(
  db: Queryable,
  boss: Boss,
  queue: string,
  jobId: string,
): Promise<CancelOutcome> {
  const job = await jobOrThrow(db, queue, jobId);
  if (job.state !== 'created' && job.state !== 'retry' && job.state !== 'active') {
    throw new ConflictError(`job ${jobId} is ${job.state}: only a waiting or active job can be cancelled`);
  }
  if (queue === QueueName.BuildDerivation && job.buildId !== null && job.buildFinished === false) {
    await cancelBuild(db, boss, job.buildId);
    // The build's current job is cancelled with it; this one too, should it be an older one.
    await boss.cancel(queue, jobId, { db: bossDb(db) });
    return { kind: 'build-cancelled', buildId: job.buildId };
  }
  await boss.cancel(queue, jobId, { db: bossDb(db) });
  return { kind: 'job-cancelled', jobId };
}

export async function resumeCancelledJob(
  db: Queryable,
  boss: Boss,
  queue: string,
  jobId: string,
  notices: BuildNotices = NO_PENDING_NOTICES,
): Promise<ResumeOutcome> {
  const job = await jobOrThrow(db, queue, jobId);
  if (job.state !== 'cancelled') throw new ConflictError(`job ${jobId} is ${job.state}, not cancelled`);
  if (queue === QueueName.BuildDerivation && job.buildId !== null && job.buildFinished) {
    await restartBuild(db, boss, job.buildId, notices);
    return { kind: 'build-restarted', buildId: job.buildId };
  }
  await requeueJob(db, boss, queue, jobId, job, 'resume');
  return { kind: 'job-resumed', jobId };
}
