// An evaluation row through its life: claimed by its pg-boss job (a retry of the same job reuses the
// row), progress while it runs, a heartbeat, and its outcome.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryOne, queryRows } from '../sql';

import { EVALUATION_STATUSES as STATUSES } from '@fc/core';
export type EvaluationPhase = 'fetching' | 'evaluating' | 'recording';

const claimedEvaluation = z.object({
  id: z.number(),
  status: z.enum(STATUSES),
  /** true when this call created the row (false: a retry of the same pg-boss job). */
  created: z.boolean(),
});
export type ClaimedEvaluation = z.output<typeof claimedEvaluation>;

/**
 * The evaluation row of pg-boss job `queueJobId`: created running, or (a retry) the existing row.
 * A row that is still running is taken over; a finished one is returned as it is.
 */
export async function claimEvaluation(
  db: Queryable,
  e: { jobsetId: number; projectId: number; queueJobId: string; forced: boolean },
): Promise<ClaimedEvaluation> {
  return queryOne(
    db,
    claimedEvaluation,
    `INSERT INTO evaluations (jobset_id, project_id, queue_job_id, forced, status, started_at, heartbeat_at)
     VALUES ($1, $2, $3, $4, 'running', now(), now())
     ON CONFLICT (queue_job_id) DO UPDATE
       SET status = CASE WHEN evaluations.status IN ('queued', 'running') THEN 'running' ELSE evaluations.status END,
           phase = CASE WHEN evaluations.status IN ('queued', 'running') THEN NULL ELSE evaluations.phase END,
           jobs_evaluated = CASE WHEN evaluations.status IN ('queued', 'running') THEN 0 ELSE evaluations.jobs_evaluated END,
           heartbeat_at = now()
     RETURNING id, status, (xmax = 0) AS created`,
    [e.jobsetId, e.projectId, e.queueJobId, e.forced],
  );
}

export async function setEvaluationPhase(
  db: Queryable,
  evaluationId: number,
  phase: EvaluationPhase,
): Promise<void> {
  await execute(db, `UPDATE evaluations SET phase = $2, heartbeat_at = now() WHERE id = $1`, [
    evaluationId,
    phase,
  ]);
}

export async function setEvaluationProgress(
  db: Queryable,
  evaluationId: number,
  jobsEvaluated: number,
): Promise<void> {
  await execute(db, `UPDATE evaluations SET jobs_evaluated = $2, heartbeat_at = now() WHERE id = $1`, [
    evaluationId,
    jobsEvaluated,
  ]);
}

export async function heartbeatEvaluation(db: Queryable, evaluationId: number): Promise<void> {
  await execute(db, `UPDATE evaluations SET heartbeat_at = now() WHERE id = $1 AND status = 'running'`, [
    evaluationId,
  ]);
}

export interface EvaluationInputsRecord {
  readonly revision: string | null;
  readonly inputRevisions: Record<string, unknown>;
  readonly inputsHash: string;
  readonly flakeUrl: string | null;
  readonly checkoutDurationMs: number;
}

export async function setEvaluationInputs(
  db: Queryable,
  evaluationId: number,
  r: EvaluationInputsRecord,
): Promise<void> {
  await execute(
    db,
    `UPDATE evaluations SET revision = $2, input_revisions = $3, inputs_hash = $4, flake_url = $5,
       checkout_duration_ms = $6, heartbeat_at = now() WHERE id = $1`,
    [
      evaluationId,
      r.revision,
      JSON.stringify(r.inputRevisions),
      r.inputsHash,
      r.flakeUrl,
      r.checkoutDurationMs,
    ],
  );
}

/** The inputs hash of the jobset's latest succeeded or unchanged evaluation before `beforeId`. */
export async function lastEvaluatedInputsHash(
  db: Queryable,
  jobsetId: number,
  beforeId: number,
): Promise<string | null> {
  const row = await queryMaybeOne(
    db,
    z.object({ inputsHash: z.string().nullable() }),
    `SELECT inputs_hash FROM evaluations
     WHERE jobset_id = $1 AND id < $2 AND status IN ('succeeded', 'unchanged')
     ORDER BY id DESC LIMIT 1`,
    [jobsetId, beforeId],
  );
  return row?.inputsHash ?? null;
}

/** The jobset's latest succeeded evaluation before `beforeId`: the one an unchanged evaluation stands for. */
export async function lastSucceededEvaluationId(
  db: Queryable,
  jobsetId: number,
  beforeId: number,
): Promise<number | null> {
  const row = await queryMaybeOne(
    db,
    z.object({ id: z.number().nullable() }),
    `SELECT max(id) AS id FROM evaluations WHERE jobset_id = $1 AND id < $2 AND status = 'succeeded'`,
    [jobsetId, beforeId],
  );
  return row?.id ?? null;
}

export async function finishEvaluationUnchanged(db: Queryable, evaluationId: number): Promise<void> {
  await execute(
    db,
    `UPDATE evaluations SET status = 'unchanged', phase = NULL, finished_at = now() WHERE id = $1`,
    [evaluationId],
  );
}

export async function finishEvaluationFailed(
  db: Queryable,
  evaluationId: number,
  error: string,
): Promise<void> {
  await execute(
    db,
    `UPDATE evaluations SET status = 'failed', phase = NULL, error = $2, finished_at = now() WHERE id = $1`,
    [evaluationId, error],
  );
}

export interface EvaluationOutcome {
  readonly jobsEvaluated: number;
  readonly nrBuilds: number;
  readonly nrNewBuilds: number;
  readonly evalDurationMs: number;
}

export async function finishEvaluationSucceeded(
  db: Queryable,
  evaluationId: number,
  o: EvaluationOutcome,
): Promise<void> {
  await execute(
    db,
    `UPDATE evaluations SET status = 'succeeded', phase = NULL, jobs_evaluated = $2, nr_builds = $3,
       nr_new_builds = $4, has_new_builds = $4 > 0, eval_duration_ms = $5, finished_at = now()
     WHERE id = $1`,
    [evaluationId, o.jobsEvaluated, o.nrBuilds, o.nrNewBuilds, o.evalDurationMs],
  );
}

/** Per-job errors, verbatim from Nix. */
export async function insertEvaluationErrors(
  db: Queryable,
  evaluationId: number,
  errors: ReadonlyMap<string, string>,
): Promise<void> {
  if (errors.size === 0) return;
  await execute(
    db,
    `INSERT INTO evaluation_errors (evaluation_id, job, message)
     SELECT $1, job, message FROM unnest($2::text[], $3::text[]) AS t(job, message)
     ON CONFLICT (evaluation_id, job) DO UPDATE SET message = EXCLUDED.message`,
    [evaluationId, [...errors.keys()], [...errors.values()]],
  );
}

/** Running evaluations whose evaluator stopped refreshing its heartbeat `staleSeconds` ago. */
export async function staleRunningEvaluations(
  db: Queryable,
  staleSeconds: number,
): Promise<{ id: number; queueJobId: string | null; heartbeatAt: Date }[]> {
  return queryRows(
    db,
    z.object({ id: z.number(), queueJobId: z.string().nullable(), heartbeatAt: z.date() }),
    `SELECT id, queue_job_id, heartbeat_at FROM evaluations
     WHERE status = 'running' AND heartbeat_at < now() - $1 * interval '1 second'
     ORDER BY id`,
    [staleSeconds],
  );
}

/** Locks the evaluation row for recording; false when it is no longer running (another run finished it). */
export async function lockRunningEvaluation(db: Queryable, evaluationId: number): Promise<boolean> {
  const row = await queryMaybeOne(
    db,
    z.object({ status: z.string() }),
    `SELECT status FROM evaluations WHERE id = $1 FOR UPDATE`,
    [evaluationId],
  );
  return row?.status === 'running';
}
