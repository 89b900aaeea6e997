// Evaluations still marked running whose evaluate-jobset job may have ended for good (the scheduler
// checks each against pg-boss and fails the ones left behind, so no evaluation stays running forever).
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryRows } from '../sql';

export interface RunningEvaluationJob {
  readonly id: number;
  readonly jobsetId: number;
  readonly queueJobId: string | null;
}

export async function runningEvaluationJobs(db: Queryable): Promise<RunningEvaluationJob[]> {
  return queryRows(
    db,
    z.object({ id: z.number(), jobsetId: z.number(), queueJobId: z.string().nullable() }),
    `SELECT id, jobset_id, queue_job_id FROM evaluations WHERE status = 'running' ORDER BY id`,
  );
}

/** Fails the evaluation if it is still running; false when it has finished meanwhile. */
export async function failRunningEvaluation(
  db: Queryable,
  evaluationId: number,
  error: string,
): Promise<boolean> {
  const row = await queryMaybeOne(
    db,
    z.object({ id: z.number() }),
    `UPDATE evaluations SET status = 'failed', phase = NULL, error = $2, finished_at = now()
     WHERE id = $1 AND status = 'running' RETURNING id`,
    [evaluationId, error],
  );
  return row !== undefined;
}
