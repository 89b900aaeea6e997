// Recording an evaluation in bulk: the new builds with their outputs in one statement, reused builds'
// membership and aggregate links in one each, all over plain unnest'ed arrays, so 100,000 jobs take a
// handful of round trips, not 100,000. A new build's membership is its evaluation_id; only reused
// builds get an evaluation_reused_builds row (the evaluation_builds view joins the two).
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryOne, queryRows } from '../sql';

export interface PreviousEvaluationBuild {
  readonly buildId: number;
  readonly job: string;
  /** The build's first output path ("out" when it has one): Hydra's dedup key with the job name. */
  readonly firstOutputPath: string | null;
  readonly finished: boolean;
}

/** The builds of the jobset's latest succeeded evaluation before `beforeId` (Hydra's dedup source). */
export async function previousEvaluationBuilds(
  db: Queryable,
  jobsetId: number,
  beforeId: number,
): Promise<PreviousEvaluationBuild[]> {
  return queryRows(
    db,
    z.object({
      buildId: z.number(),
      job: z.string(),
      firstOutputPath: z.string().nullable(),
      finished: z.boolean(),
    }),
    `SELECT b.id AS build_id, b.job, b.finished,
       (SELECT o.path FROM build_outputs o WHERE o.build_id = b.id ORDER BY (o.name <> 'out'), o.name LIMIT 1)
         AS first_output_path
     FROM evaluation_builds eb JOIN builds b ON b.id = eb.build_id
     WHERE eb.evaluation_id = (SELECT max(id) FROM evaluations
                               WHERE jobset_id = $1 AND id < $2 AND status = 'succeeded')`,
    [jobsetId, beforeId],
  );
}

export interface NewBuildRow {
  readonly job: string;
  readonly nixName: string;
  readonly drvPath: string;
  readonly system: string;
  readonly description: string | null;
  readonly license: string | null;
  readonly homepage: string | null;
  readonly maintainers: string | null;
  readonly priority: number;
  readonly timeout: number;
  readonly maxSilent: number;
  readonly requiredFeatures: readonly string[];
  readonly isAggregate: boolean;
  readonly isChannel: boolean;
  /** All outputs already valid: recorded finished, status 0, cached, with no build job. */
  readonly isCached: boolean;
  /** The pg-boss job that will build it (null for a cached build). */
  readonly queueJobId: string | null;
  /** A cached build's result as read from its outputs (status 0 and no sizes when absent). */
  readonly cachedResult?: CachedBuildResult;
}

/** What a cached build's outputs say, as the queue runner would record it after building them. */
export interface CachedBuildResult {
  /** 0, or 6 when an output has `nix-support/failed`. */
  readonly status: number;
  readonly releaseName: string | null;
  readonly size: number | null;
  readonly closureSize: number | null;
  /** Output name → NAR size and closure size. */
  readonly outputSizes: Readonly<Record<string, { narSize: number | null; closureSize: number | null }>>;
}

/** A build's `required_features` as a PostgreSQL array literal, so one text[] carries every row's. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Inserts the builds with their outputs, in one statement over plain unnest'ed arrays; each belongs to
 * the evaluation through its evaluation_id. Returns job name → build id (job names are unique within
 * an evaluation).
 */
export async function insertBuilds(
  db: Queryable,
  scope: { projectId: number; jobsetId: number; evaluationId: number },
  builds: readonly (NewBuildRow & { readonly outputs: Readonly<Record<string, string>> })[],
): Promise<Map<string, number>> {
  if (builds.length === 0) return new Map();
  const col = <T>(f: (b: NewBuildRow) => T): T[] => builds.map(f);
  const outJobs: string[] = [];
  const outNames: string[] = [];
  const outPaths: string[] = [];
  const outNarSizes: (number | null)[] = [];
  const outClosureSizes: (number | null)[] = [];
  for (const b of builds) {
    for (const [name, path] of Object.entries(b.outputs)) {
      outJobs.push(b.job);
      outNames.push(name);
      outPaths.push(path);
      const sizes = b.cachedResult?.outputSizes[name];
      outNarSizes.push(sizes?.narSize ?? null);
      outClosureSizes.push(sizes?.closureSize ?? null);
    }
  }
  const { ids } = await queryOne(
    db,
    z.object({ ids: z.record(z.string(), z.number()) }),
    `WITH b AS (
       INSERT INTO builds (project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system, description,
         license, homepage, maintainers, priority, timeout, max_silent, required_features, is_aggregate,
         is_channel, finished, build_status, is_cached, queue_job_id, started_at, stopped_at, release_name, size,
         closure_size)
       SELECT $1, $2, $3, t.job, t.nix_name, t.drv_path, t.system, t.description, t.license, t.homepage,
         t.maintainers, t.priority, t.timeout, t.max_silent, t.features::text[], t.is_aggregate, t.is_channel,
         t.is_cached, CASE WHEN t.is_cached THEN coalesce(t.status, 0) END, t.is_cached, t.queue_job_id,
         CASE WHEN t.is_cached THEN now() END, CASE WHEN t.is_cached THEN now() END, t.release_name, t.size,
         t.closure_size
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
         $11::text[], $12::int[], $13::int[], $14::int[], $15::text[], $16::bool[], $17::bool[], $18::bool[],
         $19::text[], $23::int[], $24::text[], $25::bigint[], $26::bigint[])
         AS t(job, nix_name, drv_path, system, description, license, homepage, maintainers, priority, timeout,
              max_silent, features, is_aggregate, is_channel, is_cached, queue_job_id, status, release_name, size,
              closure_size)
       RETURNING id, job
     ), outputs AS (
       INSERT INTO build_outputs (build_id, name, path, nar_size, closure_size)
       SELECT b.id, o.name, o.path, o.nar_size, o.closure_size
       FROM unnest($20::text[], $21::text[], $22::text[], $27::bigint[], $28::bigint[])
         AS o(job, name, path, nar_size, closure_size)
         JOIN b ON b.job = o.job
     )
     SELECT coalesce(json_object_agg(b.job, b.id), '{}'::json) AS ids FROM b`,
    [
      scope.projectId,
      scope.jobsetId,
      scope.evaluationId,
      col((b) => b.job),
      col((b) => b.nixName),
      col((b) => b.drvPath),
      col((b) => b.system),
      col((b) => b.description),
      col((b) => b.license),
      col((b) => b.homepage),
      col((b) => b.maintainers),
      col((b) => b.priority),
      col((b) => Math.max(1, b.timeout)),
      col((b) => Math.max(1, b.maxSilent)),
      col((b) => arrayLiteral(b.requiredFeatures)),
      col((b) => b.isAggregate),
      col((b) => b.isChannel),
      col((b) => b.isCached),
      col((b) => b.queueJobId),
      outJobs,
      outNames,
      outPaths,
      col((b) => b.cachedResult?.status ?? null),
      col((b) => b.cachedResult?.releaseName ?? null),
      col((b) => b.cachedResult?.size ?? null),
      col((b) => b.cachedResult?.closureSize ?? null),
      outNarSizes,
      outClosureSizes,
    ],
  );
  return new Map(Object.entries(ids));
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
