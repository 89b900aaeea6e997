// Reads behind the evaluation page: an evaluation's builds in brief (for Hydra's comparison with
// the previous evaluation and the jobset's job matrix), the previous evaluation, per-status counts.
import { z } from 'zod';
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

/** Per evaluation: its builds, and how many succeeded, failed, or have not finished. */
export async function evaluationBuildCounts(
  db: Queryable,
  evaluationIds: readonly number[],
): Promise<EvaluationBuildCountsRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    evaluationBuildCountsRow,
    `SELECT eb.evaluation_id, count(*)::int AS total,
       (count(*) FILTER (WHERE b.finished AND b.build_status = 0))::int AS succeeded,
       (count(*) FILTER (WHERE b.finished AND b.build_status <> 0))::int AS failed,
       (count(*) FILTER (WHERE NOT b.finished))::int AS unfinished
     FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id
     WHERE eb.evaluation_id = ANY($1::bigint[])
     GROUP BY eb.evaluation_id`,
    [evaluationIds],
  );
}
