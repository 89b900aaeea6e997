// Hydra's dependents of a failed step: the builds not started yet that need the failed derivation,
// finished with it in the failing build's transaction (each with a step naming the build that failed).
import { z } from 'zod';
import { execute, queryRows, type Queryable } from '@fc/db';

export const dependentBuildRow = z.object({
  id: z.number(),
  drvPath: z.string(),
  queueJobId: z.string().nullable(),
  /** An aggregate naming the failed build as a constituent. */
  aggregateOfFailed: z.boolean(),
  /** The failed build's job (for an aggregate's message). */
  failedJob: z.string(),
});
export type DependentBuildRow = z.output<typeof dependentBuildRow>;

/**
 * Locks the builds other than `failedBuildId` that are not started (queued, or deferred) and need a
 * failed derivation: builds of the derivations in `drvPaths` (the failed one and those that need it),
 * and the aggregates of `failedBuildId`. A row another transaction holds (a runner claiming it) is
 * skipped: it runs and meets the failed-paths cache (an aggregate: its failed constituent) instead.
 */
export async function lockDependentBuilds(
  db: Queryable,
  failedBuildId: number,
  drvPaths: readonly string[],
): Promise<DependentBuildRow[]> {
  return queryRows(
    db,
    dependentBuildRow,
    `WITH aggregates AS (SELECT aggregate_id AS id FROM aggregate_constituents WHERE constituent_id = $1)
     SELECT b.id, b.drv_path, b.queue_job_id, b.id IN (SELECT id FROM aggregates) AS aggregate_of_failed,
            (SELECT job FROM builds WHERE id = $1) AS failed_job
     FROM builds b
     WHERE (b.drv_path = ANY($2::text[]) OR b.id IN (SELECT id FROM aggregates))
       AND NOT b.finished AND b.started_at IS NULL AND b.id <> $1
     ORDER BY b.id
     FOR UPDATE OF b SKIP LOCKED`,
    [failedBuildId, drvPaths],
  );
}

/**
 * The running builds other than `failedBuildId` (started, not finished) of the derivations in
 * `drvPaths`: they need the failed derivation, and their runners are told to stop them.
 */
export async function runningDependentBuildIds(
  db: Queryable,
  failedBuildId: number,
  drvPaths: readonly string[],
): Promise<number[]> {
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    `SELECT id FROM builds
     WHERE drv_path = ANY($2::text[]) AND NOT finished AND started_at IS NOT NULL AND id <> $1
     ORDER BY id`,
    [failedBuildId, drvPaths],
  );
  return rows.map((r) => r.id);
}

export interface PropagatedStep {
  readonly drvPath: string;
  readonly status: number;
  readonly errorMessage: string;
  /** The build whose step failed. */
  readonly propagatedFrom: number;
}

/** Gives each build a finished step for the derivation that failed in another build (Hydra's). */
export async function insertPropagatedSteps(
  db: Queryable,
  buildIds: readonly number[],
  step: PropagatedStep,
): Promise<void> {
  await execute(
    db,
    `INSERT INTO build_steps (build_id, step_nr, type, drv_path, machine, busy, status, error_message,
                              propagated_from, start_time, stop_time)
     SELECT b.id, coalesce((SELECT max(step_nr) FROM build_steps s WHERE s.build_id = b.id), 0) + 1, 0, $2, '',
            false, $3, $4, $5, now(), now()
     FROM unnest($1::bigint[]) AS b(id)`,
    [buildIds, step.drvPath, step.status, step.errorMessage, step.propagatedFrom],
  );
}

export interface UnrunFinish {
  readonly id: number;
  readonly status: number;
  readonly errorMessage: string;
}

/**
 * Finishes builds that were never run, each with its status (started = stopped, as Hydra records a
 * build it finishes unbuilt). Returns the ids finished (an already finished one is left alone).
 */
export async function finishUnrunBuilds(db: Queryable, rows: readonly UnrunFinish[]): Promise<number[]> {
  const finished = await queryRows(
    db,
    z.object({ id: z.number() }),
    `UPDATE builds b SET finished = true, build_status = f.status, error_message = f.error_message,
       is_cached = false, started_at = now(), stopped_at = now()
     FROM unnest($1::bigint[], $2::smallint[], $3::text[]) AS f(id, status, error_message)
     WHERE b.id = f.id AND NOT b.finished
     RETURNING b.id`,
    [rows.map((r) => r.id), rows.map((r) => r.status), rows.map((r) => r.errorMessage)],
  );
  return finished.map((r) => r.id).sort((a, b) => a - b);
}
