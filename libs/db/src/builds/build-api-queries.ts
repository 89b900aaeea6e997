// The API's read side of builds: lists with filters (fast at millions of rows), one build with its
// outputs, products, metrics and constituents, steps, and the queue/status counts.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../pool';
import { camelizeRow, queryMaybeOne, queryOne, queryRows } from '../sql';
import { WhereBuilder, type PageRequest } from '../pagination';

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

/** The build columns and their per-build lists; `b` is the builds row. */
const SELECT = `SELECT b.id, b.evaluation_id, b.jobset_id, j.name AS jobset_name, b.project_id,
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
       FROM aggregate_constituents c WHERE c.aggregate_id = b.id) AS constituents
  FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = b.project_id`;

/** A status filter: a Hydra code, or the two unfinished states. */
export type BuildStatusFilter = number | 'queued' | 'running';

export interface BuildFilter {
  readonly projectId?: number | undefined;
  readonly jobsetId?: number | undefined;
  /** Every build of the evaluation, including those it reused from earlier evaluations. */
  readonly evaluationId?: number | undefined;
  readonly job?: string | undefined;
  readonly system?: string | undefined;
  readonly status?: BuildStatusFilter | undefined;
  readonly finishedOnly?: boolean | undefined;
  /** Keyset paging: only builds with a lower id (the list is newest first). */
  readonly beforeId?: number | undefined;
}

function buildWhere(filter: BuildFilter): WhereBuilder {
  const w = new WhereBuilder();
  if (filter.projectId !== undefined) w.add(`b.project_id = ${w.param(filter.projectId)}`);
  if (filter.jobsetId !== undefined) w.add(`b.jobset_id = ${w.param(filter.jobsetId)}`);
  if (filter.evaluationId !== undefined) {
    w.add(
      `b.id IN (SELECT eb.build_id FROM evaluation_builds eb WHERE eb.evaluation_id = ${w.param(filter.evaluationId)})`,
    );
  }
  if (filter.job !== undefined) w.add(`b.job = ${w.param(filter.job)}`);
  if (filter.system !== undefined) w.add(`b.system = ${w.param(filter.system)}`);
  if (filter.status === 'queued') w.add('NOT b.finished AND b.started_at IS NULL');
  else if (filter.status === 'running') w.add('NOT b.finished AND b.started_at IS NOT NULL');
  else if (filter.status !== undefined) w.add(`b.build_status = ${w.param(filter.status)}`);
  if (filter.finishedOnly) w.add('b.finished');
  if (filter.beforeId !== undefined) w.add(`b.id < ${w.param(filter.beforeId)}`);
  return w;
}

/** The list query's SQL and values (the benchmark runs the same text directly). */
export function buildListQuery(
  filter: BuildFilter,
  request: PageRequest,
  order: 'id' | 'stopped' = 'id',
): { text: string; values: unknown[] } {
  const w = buildWhere(order === 'stopped' ? { ...filter, finishedOnly: true } : filter);
  const orderBy = order === 'stopped' ? 'b.stopped_at DESC, b.id DESC' : 'b.id DESC';
  const n = w.values.length;
  return {
    text: `${SELECT} ${w.sql} ORDER BY ${orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`,
    values: [...w.values, request.limit, request.offset],
  };
}

/**
 * Runs a query as a named prepared statement, so each connection plans it once: the list query's
 * planning (several joins and sub-selects) costs more than its execution.
 */
async function preparedRows<S extends z.ZodType>(
  db: Queryable,
  schema: S,
  text: string,
  values: readonly unknown[],
): Promise<z.output<S>[]> {
  const name = `fc_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
  const client = db as unknown as {
    query(config: {
      name: string;
      text: string;
      values: unknown[];
    }): Promise<{ rows: Record<string, unknown>[] }>;
  };
  const result = await client.query({ name, text, values: [...values] });
  return result.rows.map((row) => schema.parse(camelizeRow(row)));
}

export async function listBuilds(
  db: Queryable,
  filter: BuildFilter,
  request: PageRequest,
  order: 'id' | 'stopped' = 'id',
): Promise<BuildDetailRow[]> {
  const q = buildListQuery(filter, request, order);
  return preparedRows(db, buildDetailRow, q.text, q.values);
}

/**
 * Counts the matching builds, but stops at `cap` + 1 so a count over a million rows stays cheap.
 * Returns the exact count, or `capped` when there are more than `cap`.
 */
export async function countBuildsUpTo(
  db: Queryable,
  filter: BuildFilter,
  cap: number,
): Promise<{ count: number; capped: boolean }> {
  const w = buildWhere(filter);
  const [row] = await preparedRows(
    db,
    z.object({ n: z.number() }),
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM builds b ${w.sql} LIMIT ${w.param(cap + 1)}) s`,
    w.values,
  );
  const n = row?.n ?? 0;
  return n > cap ? { count: cap, capped: true } : { count: n, capped: false };
}

/** The planner's estimate of the matching builds (for totals past the exact-count cap). */
export async function estimateBuilds(db: Queryable, filter: BuildFilter): Promise<number> {
  const w = buildWhere(filter);
  const result = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM builds b ${w.sql}`,
    w.values,
  );
  const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
  return Math.round(plan?.['Plan Rows'] ?? 0);
}

export async function findBuildDetail(db: Queryable, id: number): Promise<BuildDetailRow | undefined> {
  return queryMaybeOne(db, buildDetailRow, `${SELECT} WHERE b.id = $1`, [id]);
}

export async function buildLogPath(
  db: Queryable,
  id: number,
): Promise<{ logPath: string | null } | undefined> {
  return queryMaybeOne(
    db,
    z.object({ logPath: z.string().nullable() }),
    'SELECT log_path FROM builds WHERE id = $1',
    [id],
  );
}

/** The latest build of a derivation that has a stored log (`nix log` through the binary cache). */
export async function latestLoggedBuildOfDerivation(
  db: Queryable,
  drvPath: string,
): Promise<number | undefined> {
  const row = await queryMaybeOne(
    db,
    z.object({ id: z.number() }),
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

/** Queued and running builds, read live (the partial index on unfinished builds keeps it small). */
export const LIVE_BUILD_COUNTS_SQL = `SELECT count(*) FILTER (WHERE started_at IS NULL)::int AS queued,
    count(*) FILTER (WHERE started_at IS NOT NULL)::int AS running
  FROM builds WHERE NOT finished`;

export async function liveBuildCounts(db: Queryable): Promise<{ queued: number; running: number }> {
  return queryOne(db, z.object({ queued: z.number(), running: z.number() }), LIVE_BUILD_COUNTS_SQL);
}

/** Finished builds per Hydra status code: a scan of every finished build, so callers cache it. */
export const FINISHED_BUILD_COUNTS_SQL = `SELECT build_status, count(*)::int AS n
  FROM builds WHERE build_status IS NOT NULL GROUP BY build_status`;

export async function finishedBuildCounts(db: Queryable): Promise<Map<number, number>> {
  const rows = await queryRows(
    db,
    z.object({ buildStatus: z.number(), n: z.number() }),
    FINISHED_BUILD_COUNTS_SQL,
  );
  return new Map(rows.map((r) => [r.buildStatus, r.n]));
}

export const RECENTLY_FINISHED_SQL = `SELECT count(*)::int AS n FROM builds
  WHERE finished AND stopped_at > now() - interval '1 hour'`;

export async function buildsFinishedInLastHour(db: Queryable): Promise<number> {
  return (await queryOne(db, z.object({ n: z.number() }), RECENTLY_FINISHED_SQL)).n;
}

/** Where one step's log is stored (undefined: no such step). */
export async function buildStepLogPath(
  db: Queryable,
  buildId: number,
  stepNr: number,
): Promise<{ logPath: string | null } | undefined> {
  return queryMaybeOne(
    db,
    z.object({ logPath: z.string().nullable() }),
    'SELECT log_path FROM build_steps WHERE build_id = $1 AND step_nr = $2',
    [buildId, stepNr],
  );
}
