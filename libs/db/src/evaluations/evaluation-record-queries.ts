// Recording an evaluation in bulk: the new builds with their outputs in one statement, reused builds'
// membership and aggregate links in one each, all over plain unnest'ed arrays, so 100,000 jobs take a
// handful of round trips, not 100,000. A new build's membership is its evaluation_id; only reused
// builds get an evaluation_reused_builds row (the evaluation_builds view joins the two).
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryRows } from '../sql';

export interface PreviousEvaluationBuild {
  readonly buildId: number;
  readonly job: string;
  /** The build's first output path ("out" when it has one): Hydra's dedup key with the job name. */
  readonly firstOutputPath: string | null;
  readonly finished: boolean;
}

const previousBuildRow = z.object({
  buildId: z.number(),
  job: z.string(),
  firstOutputPath: z.string().nullable(),
  finished: z.boolean(),
});

/**
 * Every build of evaluation `evaluationId` with its first output (Hydra's dedup source), read in
 * slices of `slice` rows through a cursor, so the rows are never all in memory at once. Runs inside
 * the caller's transaction (a cursor lives in one).
 */
export async function readEvaluationBuilds(
  db: Queryable,
  evaluationId: number,
  onRows: (rows: readonly PreviousEvaluationBuild[]) => void,
  slice = 10_000,
): Promise<void> {
  await db.query(
    `DECLARE fc_evaluation_builds NO SCROLL CURSOR FOR
     SELECT DISTINCT ON (b.id) b.id AS build_id, b.job, b.finished, o.path AS first_output_path
     FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id LEFT JOIN build_outputs o ON o.build_id = b.id
     WHERE eb.evaluation_id = $1
     ORDER BY b.id, (o.name <> 'out'), o.name`,
    [evaluationId],
  );
  for (;;) {
    const rows = await queryRows(
      db,
      previousBuildRow,
      `FETCH ${Math.trunc(slice)} FROM fc_evaluation_builds`,
    );
    if (rows.length === 0) break;
    onRows(rows);
  }
  await db.query('CLOSE fc_evaluation_builds');
}

/** The builds an evaluation reuses from an earlier evaluation of its jobset (Hydra's isNew = 0). */
export async function insertReusedBuilds(
  db: Queryable,
  evaluationId: number,
  buildIds: readonly number[],
): Promise<void> {
  if (buildIds.length === 0) return;
  await execute(
    db,
    `INSERT INTO evaluation_reused_builds (evaluation_id, build_id)
     SELECT $1, build_id FROM unnest($2::bigint[]) AS t(build_id)
     ON CONFLICT DO NOTHING`,
    [evaluationId, buildIds],
  );
}

export async function insertAggregateConstituents(
  db: Queryable,
  links: readonly { aggregateId: number; constituentId: number }[],
): Promise<void> {
  const valid = links.filter((l) => l.aggregateId !== l.constituentId);
  if (valid.length === 0) return;
  await execute(
    db,
    `INSERT INTO aggregate_constituents (aggregate_id, constituent_id)
     SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING`,
    [valid.map((l) => l.aggregateId), valid.map((l) => l.constituentId)],
  );
}

/** What a cached build's outputs list: its products (numbered from 1) and metrics. */
export interface CachedBuildReport {
  readonly buildId: number;
  readonly products: readonly {
    type: string;
    subtype: string;
    path: string;
    name: string;
    defaultPath: string | null;
    fileSize: number | null;
    sha256: string | null;
  }[];
  readonly metrics: readonly { name: string; value: number; unit: string | null }[];
}

/**
 * The products and metrics of new cached builds, in one statement for all of them (the same rows the
 * queue runner writes when it finishes a build).
 */
export async function insertCachedBuildReports(
  db: Queryable,
  reports: readonly CachedBuildReport[],
): Promise<void> {
  const products = reports.flatMap((r) =>
    r.products.map((p, i) => ({ buildId: r.buildId, nr: i + 1, ...p })),
  );
  const metrics = reports.flatMap((r) => r.metrics.map((m) => ({ buildId: r.buildId, ...m })));
  if (products.length === 0 && metrics.length === 0) return;
  await execute(
    db,
    `WITH products AS (
       INSERT INTO build_products (build_id, product_nr, type, subtype, path, name, default_path, file_size, sha256)
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::bigint[], $9::text[])
     )
     INSERT INTO build_metrics (build_id, name, unit, value, project_id, jobset_id, job)
     SELECT b.id, m.name, m.unit, m.value, b.project_id, b.jobset_id, b.job
     FROM unnest($10::bigint[], $11::text[], $12::text[], $13::float8[]) AS m(build_id, name, unit, value)
       JOIN builds b ON b.id = m.build_id`,
    [
      products.map((p) => p.buildId),
      products.map((p) => p.nr),
      products.map((p) => p.type),
      products.map((p) => p.subtype),
      products.map((p) => p.path),
      products.map((p) => p.name),
      products.map((p) => p.defaultPath),
      products.map((p) => p.fileSize),
      products.map((p) => p.sha256),
      metrics.map((m) => m.buildId),
      metrics.map((m) => m.name),
      metrics.map((m) => m.unit),
      metrics.map((m) => m.value),
    ],
  );
}

/** The jobset's latest succeeded evaluation before `beforeId` (the one new builds are deduplicated against). */
export async function previousSucceededEvaluationId(
  db: Queryable,
  jobsetId: number,
  beforeId: number,
): Promise<number | null> {
  const rows = await queryRows(
    db,
    z.object({ id: z.number().nullable() }),
    `SELECT max(id)::int AS id FROM evaluations WHERE jobset_id = $1 AND id < $2 AND status = 'succeeded'`,
    [jobsetId, beforeId],
  );
  return rows[0]?.id ?? null;
}

export interface EvaluationJobState {
  readonly buildId: number;
  readonly finished: boolean;
  /** Reused from an earlier evaluation (not new in this one). */
  readonly reused: boolean;
}

/** The builds of evaluation `evaluationId` (of jobset `jobsetId`) for the named jobs, by job name. */
export async function evaluationJobStates(
  db: Queryable,
  { jobsetId, evaluationId }: { jobsetId: number; evaluationId: number },
  jobs: readonly string[],
): Promise<Map<string, EvaluationJobState>> {
  if (jobs.length === 0) return new Map();
  const rows = await queryRows(
    db,
    z.object({ job: z.string(), buildId: z.number(), finished: z.boolean(), reused: z.boolean() }),
    `SELECT b.job, b.id AS build_id, b.finished, b.evaluation_id IS DISTINCT FROM $2 AS reused
     FROM builds b
     WHERE b.jobset_id = $1 AND b.job = ANY($3::text[])
       AND (b.evaluation_id = $2
            OR EXISTS (SELECT 1 FROM evaluation_reused_builds r WHERE r.evaluation_id = $2 AND r.build_id = b.id))`,
    [jobsetId, evaluationId, jobs],
  );
  return new Map(rows.map((r) => [r.job, { buildId: r.buildId, finished: r.finished, reused: r.reused }]));
}
