// The statements that change a build's state columns (finished, build_status, started_at, stopped_at,
// is_cached). Only this library runs them: every transition goes through ../transitions.
import { z } from 'zod';
import { execute, queryRows, type Queryable } from '@fc/db';

/**
 * Marks an attempt as started: start time, attempt count; what an earlier attempt left (steps, products,
 * metrics, a log file's path) is dropped. One statement: it is on every build's path. The attempt's log
 * goes in build_logs (its runner's BuildLogWriter). Returns false when the build has finished meanwhile.
 */
export async function markBuildStarted(
  db: Queryable,
  buildId: number,
  runner: string | null = null,
): Promise<boolean> {
  const n = await execute(
    db,
    `WITH steps AS (DELETE FROM build_steps WHERE build_id = $1),
          products AS (DELETE FROM build_products WHERE build_id = $1),
          metrics AS (DELETE FROM build_metrics WHERE build_id = $1)
     UPDATE builds SET started_at = now(), attempts = attempts + 1, log_path = NULL, log_size = NULL, runner = $2
     WHERE id = $1 AND NOT finished`,
    [buildId, runner],
  );
  return n === 1;
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

export interface OutputSize {
  readonly name: string;
  readonly narSize: number | null;
  readonly closureSize: number | null;
  /** Where a content-addressed output was built (its recorded path was a placeholder). */
  readonly path?: string | null;
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

export interface MetricInput {
  readonly name: string;
  readonly value: number;
  readonly unit: string | null;
}

export interface FinishedBuildRow {
  readonly buildId: number;
  readonly status: number;
  readonly errorMessage: string | null;
  readonly isCached: boolean;
  readonly releaseName: string | null;
  readonly size: number | null;
  readonly closureSize: number | null;
  /** null keeps the size already recorded. */
  readonly logSize: number | null;
  readonly outputSizes: readonly OutputSize[];
  readonly products: readonly ProductInput[];
  readonly metrics: readonly MetricInput[];
  /** Steps still busy end with this status and message; null leaves them to the build's runner. */
  readonly busySteps: { readonly status: number; readonly errorMessage: string } | null;
  /** A build recorded as it finished (substituted, cached): started = stopped. */
  readonly startedNow?: boolean;
}

/**
 * The one statement that finishes a build, with everything known about it: the build row, its
 * outputs' sizes, products, metrics (an attempt starts with none: markBuildStarted), any step still
 * busy, and the builder time it took, added to its jobset's hour (what fair sharing reads; at least
 * a second, as a claimed build counts while it runs, so a build costs its jobset the same before and
 * after it finishes). Returns false when the build had already finished (cancelled meanwhile); then
 * nothing is written.
 */
export async function finishBuildRow(db: Queryable, r: FinishedBuildRow): Promise<boolean> {
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    `WITH b AS (
       UPDATE builds SET finished = true, build_status = $2, error_message = $3, is_cached = $4,
         release_name = $5, size = $6, closure_size = $7, log_size = coalesce($8, log_size),
         started_at = CASE WHEN $26 THEN now() ELSE coalesce(started_at, now()) END, stopped_at = now()
       WHERE id = $1 AND NOT finished
       RETURNING id, project_id, jobset_id, job, started_at, stopped_at
     ), builder_time AS (
       INSERT INTO jobset_builder_time (jobset_id, hour, seconds)
       SELECT b.jobset_id, date_trunc('hour', b.stopped_at), greatest(extract(epoch FROM b.stopped_at - b.started_at), 1)
       FROM b WHERE b.stopped_at > b.started_at
       ON CONFLICT (jobset_id, hour) DO UPDATE SET seconds = jobset_builder_time.seconds + excluded.seconds
     ), outputs AS (
       UPDATE build_outputs o SET nar_size = s.nar_size, closure_size = s.closure_size,
         path = coalesce(s.path, o.path)
       FROM b, unnest($9::text[], $10::bigint[], $11::bigint[], $27::text[]) AS s(name, nar_size, closure_size, path)
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
       FROM b WHERE st.build_id = b.id AND st.busy AND $25
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
      r.busySteps?.status ?? null,
      r.busySteps?.errorMessage ?? null,
      r.busySteps !== null,
      r.startedNow ?? false,
      r.outputSizes.map((s) => s.path ?? null),
    ],
  );
  return rows.length === 1;
}

/**
 * Puts a finished build back in the queue under the same id: status, times, steps, products,
 * metrics and log reset. Returns false when the build is not finished.
 */
export async function resetBuildForRestart(db: Queryable, buildId: number): Promise<boolean> {
  const n = await execute(
    db,
    `UPDATE builds SET finished = false, build_status = NULL, is_cached = false, started_at = NULL,
       stopped_at = NULL, error_message = NULL, release_name = NULL, size = NULL, closure_size = NULL,
       log_path = NULL, log_size = NULL, queue_job_id = NULL, attempts = 0, created_at = now()
     WHERE id = $1 AND finished`,
    [buildId],
  );
  if (n === 0) return false;
  await execute(db, 'DELETE FROM build_steps WHERE build_id = $1', [buildId]);
  await execute(db, 'DELETE FROM build_products WHERE build_id = $1', [buildId]);
  await execute(db, 'DELETE FROM build_metrics WHERE build_id = $1', [buildId]);
  await execute(db, 'UPDATE build_outputs SET nar_size = NULL, closure_size = NULL WHERE build_id = $1', [
    buildId,
  ]);
  return true;
}
