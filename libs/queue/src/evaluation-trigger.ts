// Asking for an evaluation: the API's trigger, webhooks and the evaluator's scheduler all come here.
import type { PgBoss } from 'pg-boss';
import type { Queryable } from '@fc/db';
import { sendJob } from './boss';
import { QueueName, type JobInput } from './job-registry';

export function evaluationSingletonKey(jobsetId: number): string {
  return `jobset-${jobsetId}`;
}

/**
 * Publishes an evaluate-jobset job; at most one is queued per jobset (pg-boss stately policy).
 * Returns the job id, or null when one was already queued (a forced request then still marks
 * the jobset, so the queued evaluation runs forced).
 */
export async function requestEvaluation(
  db: Queryable,
  boss: PgBoss,
  request: JobInput<typeof QueueName.EvaluateJobset>,
): Promise<string | null> {
  await db.query(`UPDATE jobsets SET trigger_time = now(), force_eval = force_eval OR $2 WHERE id = $1`, [
    request.jobsetId,
    request.force ?? false,
  ]);
  return sendJob(boss, QueueName.EvaluateJobset, request, {
    db,
    singletonKey: evaluationSingletonKey(request.jobsetId),
  });
}
