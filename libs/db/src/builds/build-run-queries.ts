// What the queue runner reads and writes while it runs a build: claiming it, its outputs, finishing it,
// and putting it back in the queue. Each function takes the caller's connection.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryRows } from '../sql';

export const buildRunRow = z.object({
  id: z.number(),
  projectId: z.number(),
  jobsetId: z.number(),
  job: z.string(),
  drvPath: z.string(),
  system: z.string(),
  timeout: z.number(),
  maxSilent: z.number(),
  requiredFeatures: z.array(z.string()),
  isAggregate: z.boolean(),
  priority: z.number(),
  globalPriority: z.number(),
  finished: z.boolean(),
  queueJobId: z.string().nullable(),
  createdAt: z.date(),
  attempts: z.number(),
  /** The build's outputs (name order), as the `build_outputs` rows have them. */
  outputNames: z.array(z.string()),
  outputPaths: z.array(z.string()),
});
export type BuildRunRow = z.output<typeof buildRunRow>;

/** Locks the build row for its runner (inside the caller's transaction). */
export async function lockBuildForRun(db: Queryable, buildId: number): Promise<BuildRunRow | undefined> {
  return queryMaybeOne(
    db,
    buildRunRow,
    `SELECT id, project_id, jobset_id, job, drv_path, system, timeout, max_silent, required_features,
            is_aggregate, priority, global_priority, finished, queue_job_id, created_at, attempts,
            ARRAY(SELECT name FROM build_outputs WHERE build_id = b.id ORDER BY name) AS output_names,
            ARRAY(SELECT path FROM build_outputs WHERE build_id = b.id ORDER BY name) AS output_paths
     FROM builds b WHERE id = $1 FOR UPDATE`,
    [buildId],
  );
}

/**
 * Marks an attempt as started: start time, attempt count, where its log goes; what an earlier attempt
 * left (steps, products, metrics) is dropped. One statement: it is on every build's path.
 */
export async function markBuildStarted(db: Queryable, buildId: number, logPath: string): Promise<void> {
  await execute(
    db,
    `WITH steps AS (DELETE FROM build_steps WHERE build_id = $1),
          products AS (DELETE FROM build_products WHERE build_id = $1),
          metrics AS (DELETE FROM build_metrics WHERE build_id = $1)
     UPDATE builds SET started_at = now(), attempts = attempts + 1, log_path = $2, log_size = NULL
     WHERE id = $1 AND NOT finished`,
    [buildId, logPath],
  );
}

/**
 * A build handed back to the queue (its runner is stopping; its new job is already sent): not started,
 * and the interrupted attempt does not count.
 */
export async function returnBuildToQueue(db: Queryable, buildId: number): Promise<void> {
  await execute(
    db,
    `UPDATE builds SET started_at = NULL, log_path = NULL, log_size = NULL, attempts = greatest(attempts - 1, 0)
     WHERE id = $1 AND NOT finished`,
    [buildId],
  );
  await execute(db, 'DELETE FROM build_steps WHERE build_id = $1', [buildId]);
}

/** Of `buildIds`, those that have finished (a cancelled build whose runner missed the NOTIFY). */
export async function finishedBuildIds(db: Queryable, buildIds: readonly number[]): Promise<number[]> {
  if (buildIds.length === 0) return [];
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    'SELECT id FROM builds WHERE id = ANY($1::bigint[]) AND finished',
    [buildIds],
  );
  return rows.map((r) => r.id);
}

export const buildOutputRow = z.object({ name: z.string(), path: z.string() });

export async function buildOutputPaths(
  db: Queryable,
  buildId: number,
): Promise<z.output<typeof buildOutputRow>[]> {
  return queryRows(
    db,
    buildOutputRow,
    'SELECT name, path FROM build_outputs WHERE build_id = $1 ORDER BY name',
    [buildId],
  );
}

export interface BuildResult {
  readonly buildId: number;
  readonly status: number;
  readonly errorMessage: string | null;
  readonly isCached: boolean;
  readonly releaseName: string | null;
  readonly size: number | null;
  readonly closureSize: number | null;
  readonly logSize: number | null;
}

/** Finishes an unfinished build. Returns false when it had already finished (cancelled meanwhile). */
export async function finishBuild(db: Queryable, r: BuildResult): Promise<boolean> {
  const n = await execute(
    db,
    `UPDATE builds SET finished = true, build_status = $2, error_message = $3, is_cached = $4,
       release_name = $5, size = $6, closure_size = $7, log_size = coalesce($8, log_size),
       started_at = coalesce(started_at, now()), stopped_at = now()
     WHERE id = $1 AND NOT finished`,
    [r.buildId, r.status, r.errorMessage, r.isCached, r.releaseName, r.size, r.closureSize, r.logSize],
  );
  return n === 1;
}

export interface BuildResultsInput extends BuildResult {
  readonly outputSizes: readonly OutputSize[];
  readonly products: readonly ProductInput[];
  readonly metrics: readonly MetricInput[];
  /** Steps still busy end with this status and message. */
  readonly busyStepStatus: number;
  readonly busyStepMessage: string;
}

/**
 * Finishes an unfinished build with everything its runner found, in one statement: the build row,
 * its outputs' sizes, products, metrics (the attempt started with none: markBuildStarted), and any
 * step still marked busy. Returns false when the build had already finished (cancelled meanwhile);
 * then nothing is written.
 */
export async function finishBuildWithResults(db: Queryable, r: BuildResultsInput): Promise<boolean> {
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    `WITH b AS (
       UPDATE builds SET finished = true, build_status = $2, error_message = $3, is_cached = $4,
         release_name = $5, size = $6, closure_size = $7, log_size = coalesce($8, log_size),
         started_at = coalesce(started_at, now()), stopped_at = now()
       WHERE id = $1 AND NOT finished
       RETURNING id, project_id, jobset_id, job
     ), outputs AS (
       UPDATE build_outputs o SET nar_size = s.nar_size, closure_size = s.closure_size
       FROM b, unnest($9::text[], $10::bigint[], $11::bigint[]) AS s(name, nar_size, closure_size)
       WHERE o.build_id = b.id AND o.name = s.name
     ), products AS (
       INSERT INTO build_products (build_id, product_nr, type, subtype, path, name, default_path, file_size, sha256)
       SELECT b.id, p.nr, p.type, p.subtype, p.path, p.name, p.default_path, p.file_size, p.sha256
       FROM b, unnest($12::int[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::bigint[],
                      $19::text[]) AS p(nr, type, subtype, path, name, default_path, file_size, sha256)
     ), metrics AS (
       INSERT INTO build_metrics (build_id, name, unit, value, project_id, jobset_id, job)
       SELECT b.id, m.name, m.unit, m.value, b.project_id, b.jobset_id, b.job
       FROM b, unnest($20::text[], $21::text[], $22::float8[]) AS m(name, unit, value)
     ), steps AS (
       UPDATE build_steps st SET busy = false, status = $23, error_message = $24,
         stop_time = coalesce(st.stop_time, now())
       FROM b WHERE st.build_id = b.id AND st.busy
     )
     SELECT id FROM b`,
    [
      r.buildId,
      r.status,
      r.errorMessage,
      r.isCached,
      r.releaseName,
      r.size,
      r.closureSize,
      r.logSize,
      r.outputSizes.map((s) => s.name),
      r.outputSizes.map((s) => s.narSize),
      r.outputSizes.map((s) => s.closureSize),
      r.products.map((_, i) => i + 1),
      r.products.map((p) => p.type),
      r.products.map((p) => p.subtype),
      r.products.map((p) => p.path),
      r.products.map((p) => p.name),
      r.products.map((p) => p.defaultPath),
      r.products.map((p) => p.fileSize),
      r.products.map((p) => p.sha256),
      r.metrics.map((m) => m.name),
      r.metrics.map((m) => m.unit),
      r.metrics.map((m) => m.value),
      r.busyStepStatus,
      r.busyStepMessage,
    ],
  );
  return rows.length === 1;
}

/** Records the log's final size on a build that is already finished (a cancelled build's log). */
export async function setBuildLogSize(db: Queryable, buildId: number, logSize: number): Promise<void> {
  await execute(db, 'UPDATE builds SET log_size = $2 WHERE id = $1', [buildId, logSize]);
}

export interface OutputSize {
  readonly name: string;
  readonly narSize: number | null;
  readonly closureSize: number | null;
}

export async function setOutputSizes(
  db: Queryable,
  buildId: number,
  sizes: readonly OutputSize[],
): Promise<void> {
  if (sizes.length === 0) return;
  await execute(
    db,
    `UPDATE build_outputs o SET nar_size = s.nar_size, closure_size = s.closure_size
     FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS s(name, nar_size, closure_size)
     WHERE o.build_id = $1 AND o.name = s.name`,
    [buildId, sizes.map((s) => s.name), sizes.map((s) => s.narSize), sizes.map((s) => s.closureSize)],
  );
}

export interface ProductInput {
  readonly type: string;
  readonly subtype: string;
  readonly path: string;
  readonly name: string;
  readonly defaultPath: string | null;
  readonly fileSize: number | null;
  readonly sha256: string | null;
}

export async function replaceBuildProducts(
  db: Queryable,
  buildId: number,
  products: readonly ProductInput[],
): Promise<void> {
  await execute(db, 'DELETE FROM build_products WHERE build_id = $1', [buildId]);
  if (products.length === 0) return;
  await execute(
    db,
    `INSERT INTO build_products (build_id, product_nr, type, subtype, path, name, default_path, file_size, sha256)
     SELECT $1, nr, type, subtype, path, name, default_path, file_size, sha256
     FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[])
       AS p(nr, type, subtype, path, name, default_path, file_size, sha256)`,
    [
      buildId,
      products.map((_, i) => i + 1),
      products.map((p) => p.type),
      products.map((p) => p.subtype),
      products.map((p) => p.path),
      products.map((p) => p.name),
      products.map((p) => p.defaultPath),
      products.map((p) => p.fileSize),
      products.map((p) => p.sha256),
    ],
  );
}

export interface MetricInput {
  readonly name: string;
  readonly value: number;
  readonly unit: string | null;
}

export async function replaceBuildMetrics(
  db: Queryable,
  buildId: number,
  metrics: readonly MetricInput[],
): Promise<void> {
  await execute(db, 'DELETE FROM build_metrics WHERE build_id = $1', [buildId]);
  if (metrics.length === 0) return;
  await execute(
    db,
    `INSERT INTO build_metrics (build_id, name, unit, value, project_id, jobset_id, job)
     SELECT b.id, m.name, m.unit, m.value, b.project_id, b.jobset_id, b.job
     FROM builds b, unnest($2::text[], $3::text[], $4::float8[]) AS m(name, unit, value)
     WHERE b.id = $1`,
    [buildId, metrics.map((m) => m.name), metrics.map((m) => m.unit), metrics.map((m) => m.value)],
  );
}

/** Constituents of an aggregate that have not finished yet. */
export async function unfinishedConstituentCount(db: Queryable, aggregateId: number): Promise<number> {
  const rows = await queryRows(
    db,
    z.object({ n: z.number() }),
    `SELECT count(*)::int AS n FROM aggregate_constituents ac JOIN builds c ON c.id = ac.constituent_id
     WHERE ac.aggregate_id = $1 AND NOT c.finished`,
    [aggregateId],
  );
  return rows[0]?.n ?? 0;
}

export const failedConstituentRow = z.object({ id: z.number(), job: z.string(), buildStatus: z.number() });

/**
 * An aggregate's finished constituents that failed (any status but 0 and 6, whose outputs exist),
 * lowest id first: the aggregate depends on them, so it fails the way a dependent build would.
 */
export async function failedConstituents(
  db: Queryable,
  aggregateId: number,
): Promise<z.output<typeof failedConstituentRow>[]> {
  return queryRows(
    db,
    failedConstituentRow,
    `SELECT c.id, c.job, c.build_status FROM aggregate_constituents ac JOIN builds c ON c.id = ac.constituent_id
     WHERE ac.aggregate_id = $1 AND c.finished AND c.build_status NOT IN (0, 6)
     ORDER BY c.id`,
    [aggregateId],
  );
}

export const runningBuildRow = z.object({ id: z.number(), queueJobId: z.string().nullable() });

/** Builds an attempt started and that have not finished: candidates for the aborted-build check. */
export async function startedUnfinishedBuilds(
  db: Queryable,
  startedBefore: Date,
  limit = 500,
): Promise<z.output<typeof runningBuildRow>[]> {
  return queryRows(
    db,
    runningBuildRow,
    `SELECT id, queue_job_id FROM builds
     WHERE NOT finished AND started_at IS NOT NULL AND started_at < $1 ORDER BY id LIMIT $2`,
    [startedBefore, limit],
  );
}
