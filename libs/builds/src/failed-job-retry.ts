// "Retry" on a failed pg-boss job, in FC's terms: what it means depends on what the job is about.
// - build-derivation: a finished build is restarted (re-queued under its id with a new job); a build
//   still unfinished gets its failed job back, so a queue runner takes it again.
// - evaluate-jobset: the job is retried, unless an evaluation of that jobset is already queued.
// - notify-build: the build's deliveries that failed for good are reopened, then the job is retried,
//   so every channel that did not get the news is tried again.
import { ConflictError } from '@fc/core';
import { reopenFailedDeliveriesOfBuild, type Queryable } from '@fc/db';
import { QueueName, type Boss } from '@fc/queue';
import { restartBuild } from './queue-control';
import { NO_PENDING_NOTICES, type BuildNotices } from './build-notices';
import { jobOrThrow, requeueJob } from './queue-job-requeue';

export type RetryOutcome =
  | { readonly kind: 'build-restarted'; readonly buildId: number }
  | { readonly kind: 'job-retried'; readonly jobId: string };

export async function retryFailedJob(
  db: Queryable,
  boss: Boss,
  queue: string,
  jobId: string,
  notices: BuildNotices = NO_PENDING_NOTICES,
): Promise<RetryOutcome> {
  const job = await jobOrThrow(db, queue, jobId);
  if (job.state !== 'failed') throw new ConflictError(`job ${jobId} is ${job.state}, not failed`);

  if (queue === QueueName.BuildDerivation && job.buildId !== null && job.buildFinished) {
    await restartBuild(db, boss, job.buildId, notices);
    return { kind: 'build-restarted', buildId: job.buildId };
  }
  if (queue === QueueName.NotifyBuild && job.buildId !== null) {
    await reopenFailedDeliveriesOfBuild(db, job.buildId);
  }
  await requeueJob(db, boss, queue, jobId, job, 'retry');
  return { kind: 'job-retried', jobId };
}
