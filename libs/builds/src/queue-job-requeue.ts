// What the admin's job actions (retry, cancel, resume) share: finding the job, and putting one back
// in its queue, which pg-boss refuses while another job of its jobset (or singleton key) is queued.
import { ConflictError, NotFoundError } from '@fc/core';
import { PgErrorCode, pgErrorCode, type Queryable } from '@fc/db';
import { bossDb, findQueueJob, type Boss, type QueueJobRow } from '@fc/queue';

export async function jobOrThrow(db: Queryable, queue: string, jobId: string): Promise<QueueJobRow> {
  const job = await findQueueJob(db, queue, jobId);
  if (!job) throw new NotFoundError(`queue ${queue} has no job ${jobId}`);
  return job;
}

/** pg-boss's retry (of a failed job) or resume (of a cancelled one); a ConflictError when pg-boss
 * refuses it for another job of the same jobset or key already queued. */
export async function requeueJob(
  db: Queryable,
  boss: Boss,
  queue: string,
  jobId: string,
  job: Pick<QueueJobRow, 'jobsetName'>,
  how: 'retry' | 'resume',
): Promise<void> {
  try {
    if (how === 'retry') await boss.retry(queue, jobId, { db: bossDb(db) });
    else await boss.resume(queue, jobId, { db: bossDb(db) });
  } catch (e) {
    if (pgErrorCode(e) === PgErrorCode.UniqueViolation) {
      throw new ConflictError(
        `job ${jobId} cannot be ${how === 'retry' ? 'retried' : 'resumed'}: another job of the same ${job.jobsetName ? 'jobset' : 'key'} is already queued`,
      );
    }
    throw e;
  }
}
