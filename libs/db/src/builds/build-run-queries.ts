// What the queue runner reads and writes while it runs a build: claiming it, its outputs, finishing it,
// and putting it back in the queue. Each function takes the caller's connection.
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
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

/** Records the log's final size on a build that is already finished (a cancelled build's log). */
export async function setBuildLogSize(db: Queryable, buildId: number, logSize: number): Promise<void> {
  await execute(db, 'UPDATE builds SET log_size = $2 WHERE id = $1', [buildId, logSize]);
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
     WHERE ac.aggregate_id = $1 AND c.finished AND c.build_status NOT IN (${BuildStatus.Succeeded}, ${BuildStatus.FailedWithOutput})
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
