// The builds list as the API sends it, written by PostgreSQL: one statement answers a page's items
// as JSON text in the API's Build shape (snake_case keys, status names, ISO timestamps), with the
// capped count and where the next page starts, so fc-server neither parses nor serializes 50 builds
// with their outputs, products, metrics and constituents per request (that was ~2 ms of its CPU).
// The shape must stay the API's Build (apps/server/src/views/build.view.ts): an integration spec
// compares every item with the view of the same build read the ordinary way.
import { z } from 'zod';
import { BUILD_STATUS_CODES, buildStatusName, UnfinishedStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { cappedCount, type CappedCount, type CursorPageRequest } from '../pagination';
import {
  BUILD_ORDER_BY,
  BuildListParams,
  buildCountUpToSql,
  buildPageIdsSql,
  preparedRows,
  type BuildFilter,
  type BuildOrder,
} from './build-list-queries';

/** A timestamp as JavaScript's toISOString writes it (milliseconds, truncated as pg's Date is). */
function isoSql(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** buildStatusName in SQL, from the same table of names. */
const STATUS_NAME_SQL = `CASE WHEN NOT b.finished OR b.build_status IS NULL
    THEN CASE WHEN b.started_at IS NULL THEN '${UnfinishedStatus.Queued}' ELSE '${UnfinishedStatus.Running}' END
    ELSE CASE b.build_status ${BUILD_STATUS_CODES.map((c) => `WHEN ${c} THEN '${buildStatusName(true, c, null)}'`).join(' ')} END
  END`;

/**
 * One build (`b`, with its jobset `j` and project `p`) as the columns of the API's Build, in its
 * order, error_message unredacted: row_to_json of them writes the Build (compact, unlike
 * json_build_object's `"key" : value`).
 */
const BUILD_JSON_COLUMNS = `b.id, b.evaluation_id, b.jobset_id, j.name AS jobset_name, b.project_id,
    p.name AS project_name, b.job, b.nix_name, b.drv_path, b.system, b.finished, b.build_status,
    ${STATUS_NAME_SQL} AS status, b.priority, b.global_priority, b.is_cached, b.is_aggregate,
    b.is_channel, b.keep,
    (SELECT coalesce(json_agg(json_build_object('name', o.name, 'path', o.path, 'nar_size', o.nar_size)
       ORDER BY o.name), '[]'::json) FROM build_outputs o WHERE o.build_id = b.id) AS outputs,
    (SELECT coalesce(json_agg(json_build_object('product_nr', x.product_nr, 'type', x.type,
       'subtype', x.subtype, 'name', x.name, 'path', x.path, 'default_path', x.default_path,
       'file_size', x.file_size, 'sha256', x.sha256) ORDER BY x.product_nr), '[]'::json)
       FROM build_products x WHERE x.build_id = b.id) AS products,
    (SELECT coalesce(json_agg(json_build_object('name', m.name, 'value', m.value, 'unit', m.unit)
       ORDER BY m.name), '[]'::json) FROM build_metrics m WHERE m.build_id = b.id) AS metrics,
    (SELECT coalesce(json_agg(c.constituent_id ORDER BY c.constituent_id), '[]'::json)
       FROM aggregate_constituents c WHERE c.aggregate_id = b.id) AS constituents,
    b.description, b.license, b.homepage, b.maintainers, b.timeout, b.max_silent, b.release_name,
    b.error_message, b.attempts, b.size, b.closure_size,
    b.log_path IS NOT NULL OR EXISTS (SELECT 1 FROM build_logs l WHERE l.build_id = b.id AND l.step_nr = 0) AS has_log,
    ${isoSql('b.created_at')} AS created_at, ${isoSql('b.started_at')} AS started_at,
    ${isoSql('b.stopped_at')} AS stopped_at`;

/** The list's order reversed: the page's last build first. */
const REVERSED_ORDER_BY: Readonly<Record<BuildOrder, string>> = {
  id: 'b.id',
  stopped: 'b.stopped_at, b.id',
};

const buildPageJsonRow = z.object({
  fetched: z.number(),
  matching: z.number().nullable(),
  lastId: z.number().nullable(),
  items: z.string().nullable(),
  errorMessages: z.array(z.tuple([z.number(), z.string()])).nullable(),
});

/** A page of builds as the API's JSON. */
export interface BuildPageJson {
  /** The items: a JSON array of the API's Build objects, error messages not yet redacted. */
  readonly itemsJson: string;
  /** How many items. */
  readonly shown: number;
  /** Whether more builds follow the page. */
  readonly more: boolean;
  /** The id of the page's last build (the next page's cursor when `more`). */
  readonly lastId: number | null;
  /** The builds of the page that have an error message, with it (for the caller to redact). */
  readonly errorMessages: readonly (readonly [id: number, message: string])[];
  /** The matches (whatever the cursor) counted up to the cap asked for; undefined when not asked. */
  readonly counted: CappedCount | undefined;
}

/**
 * A page of matching builds as the API's JSON, in one statement: the page's ids from one index in
 * the list's order (one more than asked, to know whether more follow), those builds' JSON, and
 * with `countUpTo` the capped count of every match.
 */
export async function listBuildsJson(
  db: Queryable,
  filter: BuildFilter,
  request: CursorPageRequest,
  options: { order?: BuildOrder; countUpTo?: number } = {},
): Promise<BuildPageJson> {
  const order = options.order ?? 'id';
  const p = new BuildListParams();
  const ids = buildPageIdsSql(filter, order, request, request.limit + 1, p);
  const limit = p.add(request.limit);
  const counted = order === 'stopped' ? { ...filter, finishedOnly: true } : filter;
  const matching =
    options.countUpTo === undefined ? 'NULL' : `(${buildCountUpToSql(counted, options.countUpTo, p)})`;
  const [row] = await preparedRows(
    db,
    buildPageJsonRow,
    `WITH page AS MATERIALIZED (${ids}),
       shown AS MATERIALIZED (SELECT b.* FROM page b ORDER BY ${BUILD_ORDER_BY[order]} LIMIT ${limit})
     SELECT (SELECT count(*) FROM page)::int AS fetched, ${matching}::int AS matching,
       (SELECT b.id FROM shown b ORDER BY ${REVERSED_ORDER_BY[order]} LIMIT 1) AS last_id,
       (SELECT json_agg(row_to_json(t) ORDER BY ${BUILD_ORDER_BY[order]})
          FROM shown s JOIN builds b ON b.id = s.id JOIN jobsets j ON j.id = b.jobset_id
            JOIN projects p ON p.id = b.project_id CROSS JOIN LATERAL (SELECT ${BUILD_JSON_COLUMNS}) t)::text AS items,
       (SELECT json_agg(json_build_array(b.id, b.error_message))
          FROM shown s JOIN builds b ON b.id = s.id WHERE b.error_message IS NOT NULL) AS error_messages`,
    p.values,
  );
  const r = row!;
  const shown = Math.min(r.fetched, request.limit);
  return {
    itemsJson: r.items ?? '[]',
    shown,
    more: r.fetched > request.limit,
    lastId: r.lastId,
    errorMessages: r.errorMessages ?? [],
    counted:
      options.countUpTo === undefined || r.matching === null
        ? undefined
        : cappedCount(r.matching, options.countUpTo),
  };
}
