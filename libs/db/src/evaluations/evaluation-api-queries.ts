// The API's read side of evaluations (the evaluator owns the writes).
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryOne, queryRows, countRow } from '../sql';
import { WhereBuilder, cappedCount, type CappedCount, type CursorPageRequest } from '../pagination';
import { splitCount, type CountedRows } from '../builds/build-list-queries';

import { EVALUATION_STATUSES, type EvaluationStatus } from '@fc/core';

export { EVALUATION_STATUSES };

export const evaluationDetailRow = z.object({
  id: z.number(),
  jobsetId: z.number(),
  jobsetName: z.string(),
  projectId: z.number(),
  projectName: z.string(),
  status: z.enum(EVALUATION_STATUSES),
  phase: z.string().nullable(),
  jobsEvaluated: z.number(),
  forced: z.boolean(),
  revision: z.string().nullable(),
  inputRevisions: z.record(z.string(), z.unknown()),
  flakeUrl: z.string().nullable(),
  hasNewBuilds: z.boolean(),
  nrBuilds: z.number(),
  nrNewBuilds: z.number(),
  checkoutDurationMs: z.number().nullable(),
  evalDurationMs: z.number().nullable(),
  error: z.string().nullable(),
  errors: z.array(z.object({ job: z.string(), message: z.string() })),
  /** The names of the jobset's inputs that are secret now. */
  secretInputs: z.array(z.string()),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});
export type EvaluationDetailRow = z.output<typeof evaluationDetailRow>;
/** A list row, with the capped count of the list's matches when asked for. */
const countedEvaluationDetailRow = evaluationDetailRow.extend({ matching: z.number().optional() });

const COLUMNS = `e.id, e.jobset_id, j.name AS jobset_name, e.project_id, p.name AS project_name, e.status, e.phase, e.jobs_evaluated, e.forced, e.revision,
    e.input_revisions, e.flake_url, e.has_new_builds, e.nr_builds, e.nr_new_builds, e.checkout_duration_ms,
    e.eval_duration_ms, e.error, e.created_at, e.started_at, e.finished_at,
    (SELECT coalesce(json_agg(json_build_object('job', x.job, 'message', x.message) ORDER BY x.job), '[]'::json)
       FROM evaluation_errors x WHERE x.evaluation_id = e.id) AS errors,
    ARRAY(SELECT i.name FROM jobset_inputs i WHERE i.jobset_id = e.jobset_id AND i.secret) AS secret_inputs`;
const JOINS = 'JOIN jobsets j ON j.id = e.jobset_id JOIN projects p ON p.id = e.project_id';

export interface EvaluationFilter {
  readonly projectId?: number | undefined;
  readonly jobsetId?: number | undefined;
  readonly status?: EvaluationStatus | undefined;
}

/** The WHERE clause of the evaluations matching `filter` (over evaluations `e`). */
export function evaluationWhere(filter: EvaluationFilter): WhereBuilder {
  const where = new WhereBuilder();
  if (filter.projectId !== undefined) where.add(`e.project_id = ${where.param(filter.projectId)}`);
  if (filter.jobsetId !== undefined) where.add(`e.jobset_id = ${where.param(filter.jobsetId)}`);
  if (filter.status !== undefined) where.add(`e.status = ${where.param(filter.status)}`);
  return where;
}

/**
 * Up to `fetch` matching evaluations, newest first, after `cursor` or `offset` in: their ids from
 * one index first, then the details of those only; with `countUpTo`, the capped count of all
 * matches from the same statement.
 */
export async function listEvaluations(
  db: Queryable,
  filter: EvaluationFilter,
  request: CursorPageRequest,
  options: { fetch?: number; countUpTo?: number } = {},
): Promise<CountedRows<EvaluationDetailRow>> {
  const where = evaluationWhere(filter);
  // Every match (the count), and those after the cursor (the page): the same parameters.
  const all = where.sql;
  if (request.cursor !== undefined) where.add(`e.id < ${where.param(request.cursor)}`);
  const limit = where.param(options.fetch ?? request.limit);
  const offset = where.param(request.offset);
  const matching =
    options.countUpTo === undefined
      ? ''
      : `, (SELECT count(*) FROM (SELECT 1 FROM evaluations e ${all} LIMIT ${where.param(options.countUpTo + 1)}) s)::int AS matching`;
  const rows = await queryRows(
    db,
    countedEvaluationDetailRow,
    `WITH page AS MATERIALIZED (SELECT e.id FROM evaluations e ${where.sql}
                                ORDER BY e.id DESC LIMIT ${limit} OFFSET ${offset})
     SELECT ${COLUMNS}${matching} FROM page JOIN evaluations e ON e.id = page.id ${JOINS}
     ORDER BY e.id DESC`,
    where.values,
  );
  if (options.countUpTo === undefined) return { rows, counted: undefined };
  return splitCount(
    rows.map((r) => ({ ...r, matching: r.matching ?? 0 })),
    options.countUpTo,
  );
}

/** Counts the matching evaluations, stopping past `cap`. */
export async function countEvaluationsUpTo(
  db: Queryable,
  filter: EvaluationFilter,
  cap: number,
): Promise<CappedCount> {
  const where = evaluationWhere(filter);
  const { n } = await queryOne(
    db,
    countRow,
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM evaluations e ${where.sql} LIMIT ${where.param(cap + 1)}) s`,
    where.values,
  );
  return cappedCount(n, cap);
}

/** The planner's estimate of the matching evaluations. */
export async function estimateEvaluations(db: Queryable, filter: EvaluationFilter): Promise<number> {
  const where = evaluationWhere(filter);
  const result = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM evaluations e ${where.sql}`,
    where.values,
  );
  return Math.round(result.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0);
}

/** The latest evaluation of each of the jobsets (a jobset without one is absent). */
export async function latestEvaluationsOfJobsets(
  db: Queryable,
  jobsetIds: readonly number[],
): Promise<EvaluationDetailRow[]> {
  if (jobsetIds.length === 0) return [];
  return queryRows(
    db,
    evaluationDetailRow,
    `SELECT ${COLUMNS} FROM unnest($1::bigint[]) AS js(id)
       CROSS JOIN LATERAL (SELECT x.id FROM evaluations x WHERE x.jobset_id = js.id ORDER BY x.id DESC LIMIT 1) latest
       JOIN evaluations e ON e.id = latest.id ${JOINS}`,
    [jobsetIds],
  );
}

export async function findEvaluationDetail(
  db: Queryable,
  id: number,
): Promise<EvaluationDetailRow | undefined> {
  return queryMaybeOne(
    db,
    evaluationDetailRow,
    `SELECT ${COLUMNS} FROM evaluations e ${JOINS} WHERE e.id = $1`,
    [id],
  );
}
