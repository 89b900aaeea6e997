// Reads behind the evaluation page: an evaluation's builds in brief (for Hydra's comparison with
// the previous evaluation and the jobset's job matrix), the previous evaluation, per-status counts.
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryRows, idRow } from '../sql';

export const evaluationBuildSummaryRow = z.object({
  evaluationId: z.number(),
  id: z.number(),
  job: z.string(),
  system: z.string(),
  nixName: z.string().nullable(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
  startedAt: z.date().nullable(),
  stoppedAt: z.date().nullable(),
  isNew: z.boolean(),
});
export type EvaluationBuildSummaryRow = z.output<typeof evaluationBuildSummaryRow>;

/** A build as Hydra's comparison of evaluations needs it: which job and system, and its outcome. */
export const comparedBuildRow = z.object({
  evaluationId: z.number(),
  id: z.number(),
  job: z.string(),
  system: z.string(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
});
export type ComparedBuildRow = z.output<typeof comparedBuildRow>;

/** Every build of the evaluations (new and reused), only what the comparison needs. */
export async function evaluationComparedBuilds(
  db: Queryable,
  evaluationIds: readonly number[],
): Promise<ComparedBuildRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    comparedBuildRow,
    // The builds an evaluation created straight from builds (by builds_evaluation_idx, on the heap pages
    // they were written to together), not through the evaluation_builds view (a second lookup each).
    `SELECT b.evaluation_id, b.id, b.job, b.system, b.finished, b.build_status
     FROM builds b WHERE b.evaluation_id = ANY($1::bigint[])
     UNION ALL
     SELECT r.evaluation_id, b.id, b.job, b.system, b.finished, b.build_status
     FROM evaluation_reused_builds r JOIN builds b ON b.id = r.build_id
     WHERE r.evaluation_id = ANY($1::bigint[])`,
    [evaluationIds],
  );
}

/** Every build of the evaluations (new and reused), a few columns each, ordered by job and system. */
export async function evaluationBuildSummaries(
  db: Queryable,
  evaluationIds: readonly number[],
): Promise<EvaluationBuildSummaryRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    evaluationBuildSummaryRow,
    `SELECT b.evaluation_id, b.id, b.job, b.system, b.nix_name, b.finished, b.build_status, b.started_at,
       b.stopped_at, true AS is_new
     FROM builds b WHERE b.evaluation_id = ANY($1::bigint[])
     UNION ALL
     SELECT r.evaluation_id, b.id, b.job, b.system, b.nix_name, b.finished, b.build_status, b.started_at,
       b.stopped_at, false
     FROM evaluation_reused_builds r JOIN builds b ON b.id = r.build_id
     WHERE r.evaluation_id = ANY($1::bigint[])
     ORDER BY 3, 4, 2`,
    [evaluationIds],
  );
}

/** A cell of a jobset's job matrix: the build of a job in an evaluation, and its status. */
export const jobMatrixCellRow = z.object({
  evaluationId: z.number(),
  id: z.number(),
  job: z.string(),
  system: z.string(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
  startedAt: z.date().nullable(),
});
export type JobMatrixCellRow = z.output<typeof jobMatrixCellRow>;

/**
 * The cells of a jobset's job matrix: the builds in the evaluations of the jobset's first `jobs`
 * job names (by name), ordered by job, system and id. Read per job, so that the cost follows the
 * cells shown, not the size of the evaluations: the names by a skip scan of builds_job_idx, each
 * job's builds since the oldest evaluation's first new build by that index, the reused ones through
 * evaluation_reused_builds.
 */
export async function jobMatrixBuilds(
  db: Queryable,
  jobsetId: number,
  evaluationIds: readonly number[],
  jobs: number,
): Promise<JobMatrixCellRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    jobMatrixCellRow,
    `WITH RECURSIVE names(job) AS (
       (SELECT b.job FROM builds b WHERE b.jobset_id = $1 ORDER BY b.job LIMIT 1)
       UNION ALL
       SELECT (SELECT b.job FROM builds b WHERE b.jobset_id = $1 AND b.job > n.job ORDER BY b.job LIMIT 1)
       FROM names n WHERE n.job IS NOT NULL),
     jobs AS (SELECT job FROM names WHERE job IS NOT NULL LIMIT $3),
     since AS (
       SELECT min(first.id) AS id FROM unnest($2::bigint[]) AS e(id),
         LATERAL (SELECT b.id FROM builds b WHERE b.evaluation_id = e.id ORDER BY b.id LIMIT 1) first)
     SELECT c.* FROM jobs, since, LATERAL (
       -- OFFSET 0 keeps this a scan of one job's builds (the planner would rather read every cell).
       SELECT b.evaluation_id, b.id, b.job, b.system, b.finished, b.build_status, b.started_at
       FROM builds b WHERE b.jobset_id = $1 AND b.job = jobs.job AND b.id >= since.id OFFSET 0) c
     WHERE c.evaluation_id = ANY($2::bigint[])
     UNION ALL
     SELECT r.evaluation_id, b.id, b.job, b.system, b.finished, b.build_status, b.started_at
     FROM evaluation_reused_builds r JOIN builds b ON b.id = r.build_id
     WHERE r.evaluation_id = ANY($2::bigint[]) AND b.job IN (SELECT job FROM jobs)
     ORDER BY 3, 4, 2`,
    [jobsetId, evaluationIds, jobs],
  );
}

/**
 * The evaluation Hydra compares this one with: the jobset's latest earlier evaluation that
 * recorded builds (succeeded), or undefined for its first.
 */
export async function previousEvaluationId(db: Queryable, evaluationId: number): Promise<number | undefined> {
  const row = await queryMaybeOne(
    db,
    idRow,
    `SELECT p.id FROM evaluations e
       JOIN LATERAL (SELECT x.id FROM evaluations x
                     WHERE x.jobset_id = e.jobset_id AND x.id < e.id AND x.status = 'succeeded'
                     ORDER BY x.id DESC LIMIT 1) p ON true
     WHERE e.id = $1`,
    [evaluationId],
  );
  return row?.id;
}

/** The jobset's latest evaluations that recorded builds, newest first. */
export async function recentEvaluationIdsWithBuilds(
  db: Queryable,
  jobsetId: number,
  limit: number,
): Promise<number[]> {
  const rows = await queryRows(
    db,
    idRow,
    `SELECT id FROM evaluations WHERE jobset_id = $1 AND status = 'succeeded' ORDER BY id DESC LIMIT $2`,
    [jobsetId, limit],
  );
  return rows.map((r) => r.id);
}

export const evaluationBuildCountsRow = z.object({
  evaluationId: z.number(),
  total: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  unfinished: z.number(),
});
export type EvaluationBuildCountsRow = z.output<typeof evaluationBuildCountsRow>;

/**
 * Per evaluation: its builds, and how many succeeded, failed, or have not finished. The builds it
 * created are counted from builds_evaluation_idx alone (it holds build_status); those it reused
 * through evaluation_reused_builds.
 */
export async function evaluationBuildCounts(
  db: Queryable,
  evaluationIds: readonly number[],
): Promise<EvaluationBuildCountsRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    evaluationBuildCountsRow,
    `SELECT e.id AS evaluation_id, c.total, c.succeeded, c.failed, c.unfinished
     FROM unnest($1::bigint[]) AS e(id)
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS total,
         (count(*) FILTER (WHERE x.status = ${BuildStatus.Succeeded}))::int AS succeeded,
         (count(*) FILTER (WHERE x.status <> ${BuildStatus.Succeeded}))::int AS failed,
         (count(*) FILTER (WHERE x.status IS NULL))::int AS unfinished
       FROM (SELECT b.build_status AS status FROM builds b WHERE b.evaluation_id = e.id
             UNION ALL
             SELECT b.build_status FROM evaluation_reused_builds r JOIN builds b ON b.id = r.build_id
             WHERE r.evaluation_id = e.id) x
     ) c
     WHERE c.total > 0`,
    [evaluationIds],
  );
}
