// Reads behind the evaluation page: Hydra's comparison with the previous evaluation (computed in
// SQL), an evaluation's builds in brief, the jobset's job matrix, the previous evaluation, per-status
// counts.
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryRows, idRow } from '../sql';

export const evaluationBuildSummaryRow = z.object({
  evaluationId: z.number(),
  id: z.number(),
  job: z.string(),
  system: z.string(),
  nixName: z.string().nullable(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
  startedAt: z.date().nullable(),
  stoppedAt: z.date().nullable(),
  isNew: z.boolean(),
});
export type EvaluationBuildSummaryRow = z.output<typeof evaluationBuildSummaryRow>;

/**
 * Hydra's groups of an evaluation's builds against the previous evaluation's, in Hydra's order (its
 * BuildDiff): builds are matched by job and system.
 */
export const COMPARISON_GROUPS = [
  'nowFail',
  'stillFail',
  'nowSucceed',
  'stillSucceed',
  'new',
  'removed',
  'unfinished',
  'aborted',
] as const;
export type ComparisonGroup = (typeof COMPARISON_GROUPS)[number];

/** Statuses that say nothing of the job (aborted, cancelled, timed out, log limit): the "aborted" group. */
const ABORTED_STATUSES = [
  BuildStatus.Aborted,
  BuildStatus.Cancelled,
  BuildStatus.TimedOut,
  BuildStatus.LogLimitExceeded,
];

/**
 * A build of a group: of the evaluation, or for "removed" the previous evaluation's build of the job;
 * with what a row of the page shows (its name, whether it started, when it finished or was queued).
 */
export const comparedBuildRow = z.object({
  group: z.enum(COMPARISON_GROUPS),
  id: z.number(),
  job: z.string(),
  system: z.string(),
  buildStatus: z.number().nullable(),
  nixName: z.string().nullable(),
  started: z.boolean(),
  /** When it finished, else when it was queued. */
  at: z.date(),
});
export type ComparedBuildRow = z.output<typeof comparedBuildRow>;

const comparisonRow = comparedBuildRow.extend({
  groupSize: z.number(),
  position: z.number(),
  totalSucceeded: z.number(),
  totalFailed: z.number(),
  totalAborted: z.number(),
  totalQueued: z.number(),
});

export interface EvaluationComparisonSlice {
  /** Builds in each group. */
  readonly counts: Readonly<Record<ComparisonGroup, number>>;
  /** Of each group (or of `group` alone), the builds from `offset` on, up to `limit`, by job and system. */
  readonly builds: readonly ComparedBuildRow[];
  /** The evaluation's builds that succeeded, failed (not aborted), were aborted, and have not finished. */
  readonly totals: {
    readonly succeeded: number;
    readonly failed: number;
    readonly aborted: number;
    readonly queued: number;
  };
}

/**
 * Hydra's comparison of an evaluation's builds (new and reused) with a previous evaluation's, in one
 * statement: the count of every group, a window of each group's builds (ordered by job, system and
 * id), and the evaluation's failed, aborted and unfinished totals. The two evaluations' builds are
 * joined by job and system inside PostgreSQL; nothing but the window leaves it, so an evaluation of
 * 250,000 jobs sends the page its counts and a hundred rows a group, not half a million rows.
 */
export async function compareEvaluationBuilds(
  db: Queryable,
  evaluationId: number,
  previousId: number | null,
  window: { readonly group?: ComparisonGroup | undefined; readonly offset: number; readonly limit: number },
): Promise<EvaluationComparisonSlice> {
  const rows = await queryRows(
    db,
    comparisonRow,
    `WITH cur AS (
       SELECT b.id, b.job, b.system, b.build_status FROM builds b WHERE b.evaluation_id = $1
       UNION ALL
       SELECT b.id, b.job, b.system, b.build_status
       FROM evaluation_reused_builds r JOIN builds b ON b.id = r.build_id WHERE r.evaluation_id = $1),
     prev AS (
       SELECT b.id, b.job, b.system, b.build_status FROM builds b WHERE b.evaluation_id = $2
       UNION ALL
       SELECT b.id, b.job, b.system, b.build_status
       FROM evaluation_reused_builds r JOIN builds b ON b.id = r.build_id WHERE r.evaluation_id = $2),
     grouped AS (
       SELECT coalesce(c.id, p.id) AS id, coalesce(c.job, p.job) AS job, coalesce(c.system, p.system) AS system,
         coalesce(c.build_status, CASE WHEN c.id IS NULL THEN p.build_status END) AS build_status,
         c.id IS NOT NULL AS current, c.build_status AS status,
         CASE
           WHEN c.id IS NULL THEN 'removed'
           WHEN c.build_status = ANY ($6::smallint[]) THEN 'aborted'
           WHEN p.id IS NULL THEN 'new'
           WHEN c.build_status IS NULL OR p.build_status IS NULL THEN 'unfinished'
           WHEN c.build_status = 0 AND p.build_status = 0 THEN 'stillSucceed'
           WHEN c.build_status <> 0 AND p.build_status <> 0 THEN 'stillFail'
           WHEN c.build_status = 0 THEN 'nowSucceed'
           ELSE 'nowFail'
         END AS "group"
       FROM cur c FULL JOIN prev p ON p.job = c.job AND p.system = c.system),
     numbered AS (
       SELECT g.*,
         count(*) OVER (PARTITION BY g."group")::int AS group_size,
         row_number() OVER (PARTITION BY g."group" ORDER BY g.job, g.system, g.id)::int AS position,
         (count(*) FILTER (WHERE g.current AND g.status = 0) OVER ())::int AS total_succeeded,
         (count(*) FILTER (WHERE g.current AND g.status <> 0 AND NOT g.status = ANY ($6::smallint[])) OVER ())::int
           AS total_failed,
         (count(*) FILTER (WHERE g.status = ANY ($6::smallint[])) OVER ())::int AS total_aborted,
         (count(*) FILTER (WHERE g.current AND g.status IS NULL) OVER ())::int AS total_queued
       FROM grouped g)
     SELECT n."group", n.id, n.job, n.system, n.build_status, n.group_size, n.position,
       n.total_succeeded, n.total_failed, n.total_aborted, n.total_queued,
       d.nix_name, d.started_at IS NOT NULL AS started, coalesce(d.stopped_at, d.created_at) AS at
     FROM numbered n JOIN builds d ON d.id = n.id
     WHERE n.position = 1 OR (n.position > $3 AND n.position <= $3 + $4 AND ($5::text IS NULL OR n."group" = $5))
     ORDER BY array_position($7::text[], n."group"), n.position`,
    [
      evaluationId,
      previousId,
      window.offset,
      window.limit,
      window.group ?? null,
      ABORTED_STATUSES,
      COMPARISON_GROUPS,
    ],
  );
  const counts = Object.fromEntries(COMPARISON_GROUPS.map((g) => [g, 0])) as Record<ComparisonGroup, number>;
  const builds: ComparedBuildRow[] = [];
  for (const r of rows) {
    counts[r.group] = r.groupSize;
    if (r.position > window.offset && r.position <= window.offset + window.limit) {
      if (window.group === undefined || r.group === window.group) {
        builds.push({
          group: r.group,
          id: r.id,
          job: r.job,
          system: r.system,
          buildStatus: r.buildStatus,
          nixName: r.nixName,
          started: r.started,
          at: r.at,
        });
      }
    }
  }
  const first = rows[0];
  return {
    counts,
    builds,
    totals: {
      succeeded: first?.totalSucceeded ?? 0,
      failed: first?.totalFailed ?? 0,
      aborted: first?.totalAborted ?? 0,
      queued: first?.totalQueued ?? 0,
    },
  };
}

/**
 * Planner settings for one large comparison, in the caller's transaction: no JIT compilation (it took
 * longer than it saved, for a statement run once) and memory enough to sort and join 500,000 slim
 * rows without spilling to disk.
 */
export async function setLargeReadSettings(tx: Queryable): Promise<void> {
  await tx.query(`SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
}

/** Every build of the evaluations (new and reused), a few columns each, ordered by job and system. */
export async function evaluationBuildSummaries(
  db: Queryable,
  evaluationIds: readonly number[],
): Promise<EvaluationBuildSummaryRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    evaluationBuildSummaryRow,
    `SELECT b.evaluation_id, b.id, b.job, b.system, b.nix_name, b.finished, b.build_status, b.started_at,
       b.stopped_at, true AS is_new
     FROM builds b WHERE b.evaluation_id = ANY($1::bigint[])
     UNION ALL
     SELECT r.evaluation_id, b.id, b.job, b.system, b.nix_name, b.finished, b.build_status, b.started_at,
       b.stopped_at, false
     FROM evaluation_reused_builds r JOIN builds b ON b.id = r.build_id
     WHERE r.evaluation_id = ANY($1::bigint[])
     ORDER BY 3, 4, 2`,
    [evaluationIds],
  );
}

/**
 * A row of a jobset's job matrix: a job and system, and its builds in the evaluations, each
 * [evaluation id, build id, status code or null, started]. Aggregated by PostgreSQL as JSON: the
 * matrix's 800 cells arrive as 100 rows parsed natively, not 800 rows of columns and timestamps.
 */
export const jobMatrixRow = z.object({
  job: z.string(),
  system: z.string(),
  cells: z.array(z.tuple([z.number(), z.number(), z.number().nullable(), z.boolean()])),
});
export type JobMatrixRow = z.output<typeof jobMatrixRow>;

/** Systems a job may have in one evaluation for the matrix to show each of its cells. */
const MATRIX_SYSTEMS_PER_JOB = 4;

/**
 * The rows of a jobset's job matrix: of the jobset's first `jobs` job names (by name), each job and
 * system with its builds in the evaluations, ordered by job and system. Read per job, so that the cost follows the
 * cells shown, not the size of the evaluations: the names by a skip scan of builds_job_idx, then each
 * job's newest builds by that index, and which of the evaluations each belongs to (the one that
 * created it, those that reused it by evaluation_reused_builds' key). Every build of a job newer
 * than a cell's is itself a cell (only evaluations make builds, and these are the jobset's latest
 * ones), so the newest evaluations × MATRIX_SYSTEMS_PER_JOB builds of a job hold all its cells; a
 * nixpkgs evaluation's 250,000 reused builds are never read.
 */
export async function jobMatrixRows(
  db: Queryable,
  jobsetId: number,
  evaluationIds: readonly number[],
  jobs: number,
): Promise<JobMatrixRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    jobMatrixRow,
    `WITH RECURSIVE names(job) AS (
       (SELECT b.job FROM builds b WHERE b.jobset_id = $1 ORDER BY b.job LIMIT 1)
       UNION ALL
       SELECT (SELECT b.job FROM builds b WHERE b.jobset_id = $1 AND b.job > n.job ORDER BY b.job LIMIT 1)
       FROM names n WHERE n.job IS NOT NULL),
     jobs AS (SELECT job FROM names WHERE job IS NOT NULL LIMIT $3)
     SELECT b.job, b.system,
       json_agg(json_build_array(m.evaluation_id, b.id, b.build_status, b.started_at IS NOT NULL) ORDER BY b.id)
         AS cells
     FROM jobs
     CROSS JOIN LATERAL (
       SELECT b.id, b.evaluation_id, b.job, b.system, b.finished, b.build_status, b.started_at
       FROM builds b WHERE b.jobset_id = $1 AND b.job = jobs.job ORDER BY b.id DESC LIMIT $4) b
     CROSS JOIN LATERAL (
       SELECT b.evaluation_id WHERE b.evaluation_id = ANY ($2::bigint[])
       UNION ALL
       SELECT r.evaluation_id FROM evaluation_reused_builds r
       WHERE r.build_id = b.id AND r.evaluation_id = ANY ($2::bigint[])) m(evaluation_id)
     GROUP BY b.job, b.system
     ORDER BY b.job, b.system`,
    [jobsetId, evaluationIds, jobs, evaluationIds.length * MATRIX_SYSTEMS_PER_JOB],
  );
}

const previousEvaluationRow = z.object({ id: z.number(), nrBuilds: z.number() });

/**
 * The evaluation Hydra compares this one with: the jobset's latest earlier evaluation that
 * recorded builds (succeeded), with its number of builds, or undefined for its first.
 */
export async function previousEvaluation(
  db: Queryable,
  evaluationId: number,
): Promise<{ id: number; nrBuilds: number } | undefined> {
  return queryMaybeOne(
    db,
    previousEvaluationRow,
    `SELECT p.id, p.nr_builds FROM evaluations e
       JOIN LATERAL (SELECT x.id, x.nr_builds FROM evaluations x
                     WHERE x.jobset_id = e.jobset_id AND x.id < e.id AND x.status = 'succeeded'
                     ORDER BY x.id DESC LIMIT 1) p ON true
     WHERE e.id = $1`,
    [evaluationId],
  );
}

/** The jobset's latest evaluations that recorded builds, newest first. */
export async function recentEvaluationIdsWithBuilds(
  db: Queryable,
  jobsetId: number,
  limit: number,
): Promise<number[]> {
  const rows = await queryRows(
    db,
    idRow,
    `SELECT id FROM evaluations WHERE jobset_id = $1 AND status = 'succeeded' ORDER BY id DESC LIMIT $2`,
    [jobsetId, limit],
  );
  return rows.map((r) => r.id);
}

export const evaluationBuildCountsRow = z.object({
  evaluationId: z.number(),
  total: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  unfinished: z.number(),
});
export type EvaluationBuildCountsRow = z.output<typeof evaluationBuildCountsRow>;

/**
 * Per evaluation: its builds, and how many succeeded, failed, or have not finished. The builds it
 * created are counted from builds_evaluation_idx alone (it holds build_status); those it reused
 * through evaluation_reused_builds.
 */
export async function evaluationBuildCounts(
  db: Queryable,
  evaluationIds: readonly number[],
): Promise<EvaluationBuildCountsRow[]> {
  if (evaluationIds.length === 0) return [];
  return queryRows(
    db,
    evaluationBuildCountsRow,
    `SELECT e.id AS evaluation_id, c.total, c.succeeded, c.failed, c.unfinished
     FROM unnest($1::bigint[]) AS e(id)
     CROSS JOIN LATERAL (
       SELECT count(*)::int AS total,
         (count(*) FILTER (WHERE x.status = ${BuildStatus.Succeeded}))::int AS succeeded,
         (count(*) FILTER (WHERE x.status <> ${BuildStatus.Succeeded}))::int AS failed,
         (count(*) FILTER (WHERE x.status IS NULL))::int AS unfinished
       FROM (SELECT b.build_status AS status FROM builds b WHERE b.evaluation_id = e.id
             UNION ALL
             SELECT b.build_status FROM evaluation_reused_builds r JOIN builds b ON b.id = r.build_id
             WHERE r.evaluation_id = e.id) x
     ) c
     WHERE c.total > 0`,
    [evaluationIds],
  );
}
