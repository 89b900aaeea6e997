// The builds lists (API and dashboard), fast at millions of rows: a page's ids come first from one
// index in the list's order (the "bare page"), then only those builds' details are read. Pages by
// cursor (the id the previous page ended with) or by a bounded offset; counts stop at a cap.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UnfinishedStatus, type UnfinishedStatusName } from '@fc/core';
import type { Queryable } from '../pool';
import { camelizeRow, countRow, queryRows } from '../sql';
import { cappedCount, type CappedCount, type CursorPageRequest } from '../pagination';

/** A status filter: a Hydra code, or the two unfinished states. */
export type BuildStatusFilter = number | UnfinishedStatusName;

export interface BuildFilter {
  readonly projectId?: number | undefined;
  readonly jobsetId?: number | undefined;
  /** Every build of the evaluation, including those it reused from earlier evaluations. */
  readonly evaluationId?: number | undefined;
  readonly job?: string | undefined;
  readonly system?: string | undefined;
  readonly status?: BuildStatusFilter | undefined;
  readonly finishedOnly?: boolean | undefined;
}

/** Newest first by id, or (recently finished builds) by when they finished. */
export type BuildOrder = 'id' | 'stopped';

export const BUILD_ORDER_BY: Readonly<Record<BuildOrder, string>> = {
  id: 'b.id DESC',
  stopped: 'b.stopped_at DESC, b.id DESC',
};

/** A statement's parameters; `add` returns the placeholder of the value it appends. */
export class BuildListParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Where the matching builds come from, as `FROM ... WHERE ...` over builds `b`: one source, or for
 * an evaluation two (the builds it created, by builds.evaluation_id, and those it reused), each
 * read in index order.
 */
function buildSources(
  filter: BuildFilter,
  order: BuildOrder,
  cursor: number | undefined,
  p: BuildListParams,
): string[] {
  const conditions: string[] = [];
  if (filter.projectId !== undefined) conditions.push(`b.project_id = ${p.add(filter.projectId)}`);
  if (filter.jobsetId !== undefined) conditions.push(`b.jobset_id = ${p.add(filter.jobsetId)}`);
  if (filter.job !== undefined) conditions.push(`b.job = ${p.add(filter.job)}`);
  if (filter.system !== undefined) conditions.push(`b.system = ${p.add(filter.system)}`);
  if (filter.status === UnfinishedStatus.Queued) conditions.push('NOT b.finished AND b.started_at IS NULL');
  else if (filter.status === UnfinishedStatus.Running)
    conditions.push('NOT b.finished AND b.started_at IS NOT NULL');
  else if (filter.status !== undefined) conditions.push(`b.build_status = ${p.add(filter.status)}`);
  if (filter.finishedOnly || order === 'stopped') conditions.push('b.finished');
  if (cursor !== undefined) {
    conditions.push(
      order === 'id'
        ? `b.id < ${p.add(cursor)}`
        : `(b.stopped_at, b.id) < (SELECT c.stopped_at, c.id FROM builds c WHERE c.id = ${p.add(cursor)})`,
    );
  }
  const where = (first: string[]) => {
    const all = [...first, ...conditions];
    return all.length ? ` WHERE ${all.join(' AND ')}` : '';
  };
  if (filter.evaluationId === undefined) return [`FROM builds b${where([])}`];
  const e = p.add(filter.evaluationId);
  return [
    `FROM builds b${where([`b.evaluation_id = ${e}`])}`,
    `FROM evaluation_reused_builds r JOIN builds b ON b.id = r.build_id${where([`r.evaluation_id = ${e}`])}`,
  ];
}

/**
 * The SQL of a page's ids (and the columns it is ordered by) in the list's order: the "bare page".
 * `fetch` rows are read after `offset` rows (or after the cursor).
 */
export function buildPageIdsSql(
  filter: BuildFilter,
  order: BuildOrder,
  request: CursorPageRequest,
  fetch: number,
  p: BuildListParams,
): string {
  const columns = order === 'id' ? 'b.id' : 'b.id, b.stopped_at';
  const sources = buildSources(filter, order, request.cursor, p);
  const limit = p.add(fetch);
  const offset = p.add(request.offset);
  if (sources.length === 1) {
    return `SELECT ${columns} ${sources[0]} ORDER BY ${BUILD_ORDER_BY[order]} LIMIT ${limit} OFFSET ${offset}`;
  }
  // Each source's first offset + fetch rows in order, merged.
  const each = p.add(fetch + request.offset);
  const union = sources
    .map((s) => `(SELECT ${columns} ${s} ORDER BY ${BUILD_ORDER_BY[order]} LIMIT ${each})`)
    .join(' UNION ALL ');
  return `SELECT b.* FROM (${union}) b ORDER BY ${BUILD_ORDER_BY[order]} LIMIT ${limit} OFFSET ${offset}`;
}

/** The SQL of the number of matching builds, counted up to `cap` + 1 (a cheap bound at any size). */
export function buildCountUpToSql(filter: BuildFilter, cap: number, p: BuildListParams): string {
  const sources = buildSources(filter, 'id', undefined, p);
  const limit = p.add(cap + 1);
  return sources.map((s) => `(SELECT count(*) FROM (SELECT 1 ${s} LIMIT ${limit}) s)`).join(' + ');
}

export interface BuildListOptions {
  readonly order?: BuildOrder;
  /** Rows to read (default: the page's limit; one more tells whether a next page exists). */
  readonly fetch?: number;
  /** Also count the matches (whatever the cursor) up to this cap, in the same statement. */
  readonly countUpTo?: number;
}

/**
 * A list query: the page's ids, then `columns` of those builds (with jobset and project names),
 * and with `countUpTo` the capped count of all matches as column `matching` of every row.
 */
export function buildListQuery(
  columns: string,
  filter: BuildFilter,
  request: CursorPageRequest,
  options: BuildListOptions = {},
): { text: string; values: unknown[] } {
  const order = options.order ?? 'id';
  const p = new BuildListParams();
  const ids = buildPageIdsSql(filter, order, request, options.fetch ?? request.limit, p);
  const counted = order === 'stopped' ? { ...filter, finishedOnly: true } : filter;
  const matching =
    options.countUpTo === undefined
      ? ''
      : `, (${buildCountUpToSql(counted, options.countUpTo, p)})::int AS matching`;
  return {
    text: `WITH page AS MATERIALIZED (${ids})
      SELECT ${columns}${matching} FROM page JOIN builds b ON b.id = page.id
        JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = b.project_id
      ORDER BY ${BUILD_ORDER_BY[order]}`,
    values: p.values,
  };
}

/** What a list query with a count answers: its rows, and the capped count (unknown when no row came). */
export interface CountedRows<T> {
  readonly rows: T[];
  readonly counted: CappedCount | undefined;
}

/** Splits the `matching` column off the rows of a list query run with `countUpTo` = `cap`. */
export function splitCount<T>(rows: (T & { matching: number })[], cap: number): CountedRows<T> {
  const first = rows[0];
  const counted = first === undefined ? undefined : cappedCount(first.matching, cap);
  return { rows: rows.map(({ matching: _, ...row }) => row as T), counted };
}

/** The prepared statement name of each list query text (a few dozen texts; hashed once each). */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `fc_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return name;
}

/**
 * Runs a query as a named prepared statement, so each connection plans each list query once (its
 * planning costs more than its execution).
 */
export async function preparedRows<S extends z.ZodType>(
  db: Queryable,
  schema: S,
  text: string,
  values: readonly unknown[],
): Promise<z.output<S>[]> {
  const name = statementName(text);
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

/** A build as the dashboard's lists show it (no outputs, products, metrics or constituents). */
export const buildSummaryRow = z.object({
  id: z.number(),
  evaluationId: z.number().nullable(),
  jobsetId: z.number(),
  jobsetName: z.string(),
  projectId: z.number(),
  projectName: z.string(),
  job: z.string(),
  nixName: z.string().nullable(),
  system: z.string(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  stoppedAt: z.date().nullable(),
});
export type BuildSummaryRow = z.output<typeof buildSummaryRow>;

const SUMMARY_COLUMNS = `b.id, b.evaluation_id, b.jobset_id, j.name AS jobset_name, b.project_id,
  p.name AS project_name, b.job, b.nix_name, b.system, b.finished, b.build_status, b.created_at,
  b.started_at, b.stopped_at`;

/** A page of matching builds in brief, newest first. */
export async function listBuildSummaries(
  db: Queryable,
  filter: BuildFilter,
  request: CursorPageRequest,
): Promise<BuildSummaryRow[]> {
  const q = buildListQuery(SUMMARY_COLUMNS, filter, request);
  return preparedRows(db, buildSummaryRow, q.text, q.values);
}

/** These builds in brief (those that exist), newest first. */
export async function findBuildSummaries(db: Queryable, ids: readonly number[]): Promise<BuildSummaryRow[]> {
  if (ids.length === 0) return [];
  return queryRows(
    db,
    buildSummaryRow,
    `SELECT ${SUMMARY_COLUMNS} FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = b.project_id
     WHERE b.id = ANY($1::bigint[]) ORDER BY b.id DESC`,
    [ids],
  );
}

/**
 * Counts the matching builds, but stops at `cap` + 1 so a count over a million rows stays cheap.
 * Returns the exact count, or `capped` when there are more than `cap`.
 */
export async function countBuildsUpTo(db: Queryable, filter: BuildFilter, cap: number): Promise<CappedCount> {
  const p = new BuildListParams();
  const [row] = await preparedRows(
    db,
    countRow,
    `SELECT (${buildCountUpToSql(filter, cap, p)})::int AS n`,
    p.values,
  );
  return cappedCount(row?.n ?? 0, cap);
}

/** The planner's estimate of the matching builds (for totals past the exact-count cap). */
export async function estimateBuilds(db: Queryable, filter: BuildFilter): Promise<number> {
  const p = new BuildListParams();
  let total = 0;
  for (const source of buildSources(filter, 'id', undefined, p)) {
    const result = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
      `EXPLAIN (FORMAT JSON) SELECT 1 ${source}`,
      p.values,
    );
    total += result.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0;
  }
  return Math.round(total);
}
