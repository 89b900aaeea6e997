// The API's read side of evaluations (the evaluator owns the writes).
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryOne, queryRows } from '../sql';
import { page, WhereBuilder, type Page, type PageRequest } from '../pagination';

import { EVALUATION_STATUSES } from '@fc/core';

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

const SELECT = `SELECT e.id, e.jobset_id, j.name AS jobset_name, e.project_id, p.name AS project_name, e.status, e.phase, e.jobs_evaluated, e.forced, e.revision,
    e.input_revisions, e.flake_url, e.has_new_builds, e.nr_builds, e.nr_new_builds, e.checkout_duration_ms,
    e.eval_duration_ms, e.error, e.created_at, e.started_at, e.finished_at,
    (SELECT coalesce(json_agg(json_build_object('job', x.job, 'message', x.message) ORDER BY x.job), '[]'::json)
       FROM evaluation_errors x WHERE x.evaluation_id = e.id) AS errors,
    ARRAY(SELECT i.name FROM jobset_inputs i WHERE i.jobset_id = e.jobset_id AND i.secret) AS secret_inputs
  FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id JOIN projects p ON p.id = e.project_id`;

export interface EvaluationFilter {
  readonly projectId?: number | undefined;
  readonly jobsetId?: number | undefined;
}

export async function listEvaluations(
  db: Queryable,
  filter: EvaluationFilter,
  request: PageRequest,
): Promise<Page<EvaluationDetailRow>> {
  const where = new WhereBuilder();
  if (filter.projectId !== undefined) where.add(`e.project_id = ${where.param(filter.projectId)}`);
  if (filter.jobsetId !== undefined) where.add(`e.jobset_id = ${where.param(filter.jobsetId)}`);
  const n = where.values.length;
  const items = await queryRows(
    db,
    evaluationDetailRow,
    `${SELECT} ${where.sql} ORDER BY e.id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...where.values, request.limit, request.offset],
  );
  const { total } = await queryOne(
    db,
    z.object({ total: z.number() }),
    `SELECT count(*)::int AS total FROM evaluations e ${where.sql}`,
    where.values,
  );
  return page(items, total, request);
}

export async function findEvaluationDetail(
  db: Queryable,
  id: number,
): Promise<EvaluationDetailRow | undefined> {
  return queryMaybeOne(db, evaluationDetailRow, `${SELECT} WHERE e.id = $1`, [id]);
}
