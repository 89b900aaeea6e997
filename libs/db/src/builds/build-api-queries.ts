// The API's read side of builds: lists with their details (build-list-queries.ts pages them), one
// build with its outputs, products, metrics and constituents, steps, and the status counts.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryOne, queryRows, idRow, countRow } from '../sql';
import type { CursorPageRequest } from '../pagination';
import {
  buildListQuery,
  preparedRows,
  splitCount,
  type BuildFilter,
  type BuildListOptions,
  type CountedRows,
} from './build-list-queries';

const outputItem = z.object({ name: z.string(), path: z.string(), narSize: z.number().nullable() });
const productItem = z.object({
  productNr: z.number(),
  type: z.string(),
  subtype: z.string(),
  name: z.string(),
  path: z.string(),
  defaultPath: z.string().nullable(),
  fileSize: z.number().nullable(),
  sha256: z.string().nullable(),
});
const metricItem = z.object({ name: z.string(), value: z.number(), unit: z.string().nullable() });

export const buildDetailRow = z.object({
  id: z.number(),
  evaluationId: z.number().nullable(),
  jobsetId: z.number(),
  jobsetName: z.string(),
  projectId: z.number(),
  projectName: z.string(),
  job: z.string(),
  nixName: z.string().nullable(),
  drvPath: z.string(),
  system: z.string(),
  description: z.string().nullable(),
  license: z.string().nullable(),
  homepage: z.string().nullable(),
  maintainers: z.string().nullable(),
  priority: z.number(),
  globalPriority: z.number(),
  timeout: z.number(),
  maxSilent: z.number(),
  isAggregate: z.boolean(),
  isChannel: z.boolean(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
  isCached: z.boolean(),
  keep: z.boolean(),
  releaseName: z.string().nullable(),
  errorMessage: z.string().nullable(),
  attempts: z.number(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  stoppedAt: z.date().nullable(),
  size: z.number().nullable(),
  closureSize: z.number().nullable(),
  hasLog: z.boolean(),
  outputs: z.array(outputItem),
  products: z.array(productItem),
  metrics: z.array(metricItem),
  constituents: z.array(z.number()),
});
export type BuildDetailRow = z.output<typeof buildDetailRow>;
/** A list row with the capped count of the list's matches. */
const countedBuildDetailRow = buildDetailRow.extend({ matching: z.number() });
const logPathRow = z.object({ logPath: z.string().nullable() });
const statusCountRow = z.object({ buildStatus: z.number(), n: z.number() });

/** The build columns and their per-build lists; `b` is the builds row, `j` its jobset, `p` its project. */
const DETAIL_COLUMNS = `b.id, b.evaluation_id, b.jobset_id, j.name AS jobset_name, b.project_id,
    p.name AS project_name, b.job, b.nix_name, b.drv_path, b.system, b.description, b.license, b.homepage,
    b.maintainers, b.priority, b.global_priority, b.timeout, b.max_silent, b.is_aggregate, b.is_channel,
    b.finished, b.build_status, b.is_cached, b.keep, b.release_name, b.error_message, b.attempts,
    b.created_at, b.started_at, b.stopped_at, b.size, b.closure_size, (b.log_path IS NOT NULL OR EXISTS (SELECT 1 FROM build_logs l WHERE l.build_id = b.id AND l.step_nr = 0)) AS has_log,
    (SELECT coalesce(json_agg(json_build_object('name', o.name, 'path', o.path, 'narSize', o.nar_size)
       ORDER BY o.name), '[]'::json) FROM build_outputs o WHERE o.build_id = b.id) AS outputs,
    (SELECT coalesce(json_agg(json_build_object('productNr', x.product_nr, 'type', x.type,
       'subtype', x.subtype, 'name', x.name, 'path', x.path, 'defaultPath', x.default_path,
       'fileSize', x.file_size, 'sha256', x.sha256) ORDER BY x.product_nr), '[]'::json)
       FROM build_products x WHERE x.build_id = b.id) AS products,
    (SELECT coalesce(json_agg(json_build_object('name', m.name, 'value', m.value, 'unit', m.unit)
       ORDER BY m.name), '[]'::json) FROM build_metrics m WHERE m.build_id = b.id) AS metrics,
    (SELECT coalesce(json_agg(c.constituent_id ORDER BY c.constituent_id), '[]'::json)
       FROM aggregate_constituents c WHERE c.aggregate_id = b.id) AS constituents`;

/**
 * A page of matching builds with their details: the page's ids first (one index in the list's
 * order), then the details of those builds only; with `countUpTo`, the capped count of all matches
 * from the same statement.
 */
export async function listBuilds(
  db: Queryable,
  filter: BuildFilter,
  request: CursorPageRequest,
  options: BuildListOptions & { countUpTo: number },
): Promise<CountedRows<BuildDetailRow>> {
  const q = buildListQuery(DETAIL_COLUMNS, filter, request, options);
  const rows = await preparedRows(db, countedBuildDetailRow, q.text, q.values);
  return splitCount(rows, options.countUpTo);
}

export async function findBuildDetail(db: Queryable, id: number): Promise<BuildDetailRow | undefined> {
  return queryMaybeOne(
    db,
    buildDetailRow,
    `SELECT ${DETAIL_COLUMNS} FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = b.project_id
     WHERE b.id = $1`,
    [id],
  );
}

export async function buildExists(db: Queryable, id: number): Promise<boolean> {
  const row = await queryMaybeOne(db, idRow, 'SELECT id FROM builds WHERE id = $1', [id]);
  return row !== undefined;
}

export async function buildLogPath(
  db: Queryable,
  id: number,
): Promise<{ logPath: string | null } | undefined> {
  return queryMaybeOne(db, logPathRow, 'SELECT log_path FROM builds WHERE id = $1', [id]);
}

/** The latest build of a derivation that has a stored log (`nix log` through the binary cache). */
export async function latestLoggedBuildOfDerivation(
  db: Queryable,
  drvPath: string,
): Promise<number | undefined> {
  const row = await queryMaybeOne(
    db,
    idRow,
    `SELECT b.id FROM builds b
     WHERE b.drv_path = $1
       AND (b.log_path IS NOT NULL OR EXISTS (SELECT 1 FROM build_logs l WHERE l.build_id = b.id AND l.step_nr = 0))
     ORDER BY b.id DESC LIMIT 1`,
    [drvPath],
  );
  return row?.id;
}

export const buildStepRow = z.object({
  stepNr: z.number(),
  type: z.number(),
  drvPath: z.string().nullable(),
  system: z.string().nullable(),
  busy: z.boolean(),
  status: z.number().nullable(),
  errorMessage: z.string().nullable(),
  machine: z.string(),
  propagatedFrom: z.number().nullable(),
  hasLog: z.boolean(),
  startTime: z.date().nullable(),
  stopTime: z.date().nullable(),
  outputs: z.array(z.object({ name: z.string(), path: z.string().nullable() })),
});
export type BuildStepRow = z.output<typeof buildStepRow>;

export async function listBuildSteps(db: Queryable, buildId: number): Promise<BuildStepRow[]> {
  return queryRows(
    db,
    buildStepRow,
    `SELECT s.step_nr, s.type, s.drv_path, s.system, s.busy, s.status, s.error_message, s.machine,
       s.propagated_from, (s.log_path IS NOT NULL
         OR EXISTS (SELECT 1 FROM build_logs l WHERE l.build_id = s.build_id AND l.step_nr = s.step_nr)) AS has_log, s.start_time, s.stop_time,
       (SELECT coalesce(json_agg(json_build_object('name', o.name, 'path', o.path) ORDER BY o.name), '[]'::json)
          FROM build_step_outputs o WHERE o.build_id = s.build_id AND o.step_nr = s.step_nr) AS outputs
     FROM build_steps s WHERE s.build_id = $1 ORDER BY s.step_nr`,
    [buildId],
  );
}

/** Finished builds per Hydra status code: a scan of every finished build, so callers cache it. */
export const FINISHED_BUILD_COUNTS_SQL = `SELECT build_status, count(*)::int AS n
  FROM builds WHERE build_status IS NOT NULL GROUP BY build_status`;

export async function finishedBuildCounts(db: Queryable): Promise<Map<number, number>> {
  const rows = await queryRows(db, statusCountRow, FINISHED_BUILD_COUNTS_SQL);
  return new Map(rows.map((r) => [r.buildStatus, r.n]));
}

/** Builds finished in the last hour (from builds_stopped_idx alone: bounded by an hour's builds). */
export const RECENTLY_FINISHED_SQL = `SELECT count(*)::int AS n FROM builds
  WHERE finished AND stopped_at > now() - interval '1 hour'`;

export async function buildsFinishedInLastHour(db: Queryable): Promise<number> {
  return (await queryOne(db, countRow, RECENTLY_FINISHED_SQL)).n;
}

/** Where one step's log is stored (undefined: no such step). */
export async function buildStepLogPath(
  db: Queryable,
  buildId: number,
  stepNr: number,
): Promise<{ logPath: string | null } | undefined> {
  return queryMaybeOne(
    db,
    logPathRow,
    'SELECT log_path FROM build_steps WHERE build_id = $1 AND step_nr = $2',
    [buildId, stepNr],
  );
}
