// The evaluations list as the API sends it, written by PostgreSQL: one statement answers a page's
// items as JSON text in the API's Evaluation shape, with the capped count and where the next page
// starts, and says whether anything in it may need hiding from a caller who may not see
// credentials (then the caller reads the page the ordinary way). The shape must stay the API's
// Evaluation (apps/server/src/views/evaluation.view.ts): an integration spec compares the two.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { cappedCount, type CappedCount, type CursorPageRequest } from '../pagination';
import { preparedRows } from '../builds/build-list-queries';
import { evaluationWhere, type EvaluationFilter } from './evaluation-api-queries';

function isoSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** One evaluation `e` as the columns of the API's Evaluation, in its order, nothing redacted. */
const EVALUATION_JSON_COLUMNS = `e.id, e.jobset_id, e.project_id, e.status, e.phase, e.jobs_evaluated,
    e.forced, e.revision, e.input_revisions, e.flake_url, e.has_new_builds, e.nr_builds,
    e.nr_new_builds, e.checkout_duration_ms, e.eval_duration_ms,
    (SELECT coalesce(json_agg(json_build_object('job', x.job, 'message', x.message) ORDER BY x.job), '[]'::json)
       FROM evaluation_errors x WHERE x.evaluation_id = e.id) AS errors,
    e.error, ${isoSql('e.created_at')} AS created_at, ${isoSql('e.started_at')} AS started_at,
    ${isoSql('e.finished_at')} AS finished_at`;

const evaluationPageJsonRow = z.object({
  fetched: z.number(),
  matching: z.number().nullable(),
  lastId: z.number().nullable(),
  items: z.string().nullable(),
  hasSecretInputs: z.boolean().nullable(),
});

/** A page of evaluations as the API's JSON. */
export interface EvaluationPageJson {
  /** The items: a JSON array of the API's Evaluation objects, nothing redacted. */
  readonly itemsJson: string;
  readonly shown: number;
  /** Whether more evaluations follow the page. */
  readonly more: boolean;
  /** The id of the page's last evaluation (the next page's cursor when `more`). */
  readonly lastId: number | null;
  /** Whether a jobset of the page has secret inputs now (whose values some callers may not see). */
  readonly hasSecretInputs: boolean;
  /** The matches (whatever the cursor) counted up to the cap asked for; undefined when not asked. */
  readonly counted: CappedCount | undefined;
}

/**
 * A page of matching evaluations as the API's JSON, newest first, in one statement: the page's ids
 * from one index (one more than asked), those evaluations' JSON, with `countUpTo` the capped count.
 */
export async function listEvaluationsJson(
  db: Queryable,
  filter: EvaluationFilter,
  request: CursorPageRequest,
  options: { countUpTo?: number } = {},
): Promise<EvaluationPageJson> {
  const where = evaluationWhere(filter);
  const all = where.sql;
  const matching =
    options.countUpTo === undefined
      ? 'NULL'
      : `(SELECT count(*) FROM (SELECT 1 FROM evaluations e ${all} LIMIT ${where.param(options.countUpTo + 1)}) s)`;
  if (request.cursor !== undefined) where.add(`e.id < ${where.param(request.cursor)}`);
  const fetch = where.param(request.limit + 1);
  const offset = where.param(request.offset);
  const limit = where.param(request.limit);
  const [row] = await preparedRows(
    db,
    evaluationPageJsonRow,
    `WITH page AS MATERIALIZED (SELECT e.id FROM evaluations e ${where.sql}
                                ORDER BY e.id DESC LIMIT ${fetch} OFFSET ${offset}),
       shown AS MATERIALIZED (SELECT id FROM page ORDER BY id DESC LIMIT ${limit})
     SELECT (SELECT count(*) FROM page)::int AS fetched, ${matching}::int AS matching,
       (SELECT min(id) FROM shown) AS last_id,
       (SELECT json_agg(row_to_json(t) ORDER BY e.id DESC)
          FROM shown s JOIN evaluations e ON e.id = s.id
            CROSS JOIN LATERAL (SELECT ${EVALUATION_JSON_COLUMNS}) t)::text AS items,
       (SELECT bool_or(EXISTS (SELECT 1 FROM jobset_inputs i WHERE i.jobset_id = e.jobset_id AND i.secret))
          FROM shown s JOIN evaluations e ON e.id = s.id) AS has_secret_inputs`,
    where.values,
  );
  const r = row!;
  return {
    itemsJson: r.items ?? '[]',
    shown: Math.min(r.fetched, request.limit),
    more: r.fetched > request.limit,
    lastId: r.lastId,
    hasSecretInputs: r.hasSecretInputs ?? false,
    counted:
      options.countUpTo === undefined || r.matching === null
        ? undefined
        : cappedCount(r.matching, options.countUpTo),
  };
}
