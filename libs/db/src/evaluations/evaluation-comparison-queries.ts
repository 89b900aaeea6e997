// Reads behind the evaluation page: an evaluation's builds in brief (for Hydra's comparison with
// the previous evaluation and the jobset's job matrix), the previous evaluation, per-status counts.
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryRows } from '../sql';

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

/** Every build of the evaluations (new and reused), a few columns each, ordered by job and system. */
export async function evaluationBuildSummaries(
  db: Queryable,
  evaluationIds: readonly number[],
): Promise<EvaluationBuildSummaryRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    evaluationBuildSummaryRow,
    `SELECT eb.evaluation_id, b.id, b.job, b.system, b.nix_name, b.finished, b.build_status, b.started_at,
       b.stopped_at, eb.is_new
     FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id
     WHERE eb.evaluation_id = ANY($1::bigint[])
     ORDER BY b.job, b.system, b.id`,
    [evaluationIds],
  );
}

/**
 * The builds of the evaluations of the first `jobs` job/system pairs (by name) among them: the
 * cells of a jobset's job matrix, ordered by job and system.
 */
export async function jobMatrixBuilds(
  db: Queryable,
  evaluationIds: readonly number[],
  jobs: number,
): Promise<EvaluationBuildSummaryRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    evaluationBuildSummaryRow,
    `WITH cells AS (
       SELECT eb.evaluation_id, b.id, b.job, b.system, b.nix_name, b.finished, b.build_status, b.started_at,
         b.stopped_at, eb.is_new
       FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id
       WHERE eb.evaluation_id = ANY($1::bigint[])),
     rows AS (SELECT DISTINCT job, system FROM cells ORDER BY job, system LIMIT $2)
     SELECT cells.* FROM cells JOIN rows USING (job, system)
     ORDER BY cells.job, cells.system, cells.id`,
    [evaluationIds, jobs],
  );
}

/**
 * The evaluation Hydra compares this one with: the jobset's latest earlier evaluation that
 * recorded builds (succeeded), or undefined for its first.
 */
export async function previousEvaluationId(db: Queryable, evaluationId: number): Promise<number | undefined> {
  const row = await queryMaybeOne(
    db,
    z.object({ id: z.number() }),
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
    z.object({ id: z.number() }),
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
