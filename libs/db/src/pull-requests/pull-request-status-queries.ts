// What the queue runner reads to report a pull request's builds on its forge: the pull request a
// jobset builds, and an evaluation's progress for its summary status.
import { z } from 'zod';
import { EVALUATION_STATUSES, PULL_REQUEST_STATUS_MODES, BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { queryMaybeOne, queryRows } from '../sql';

export const pullRequestStatusScopeRow = z.object({
  number: z.number(),
  forge: z.enum(['github', 'gitea']),
  /** "owner/name" of the base repository; null = unknown (the project's repository_url names it). */
  baseRepository: z.string().nullable(),
  headRepositoryUrl: z.string(),
  projectName: z.string(),
  projectRepositoryUrl: z.string(),
  jobsetName: z.string(),
  statuses: z.enum(PULL_REQUEST_STATUS_MODES),
});
export type PullRequestStatusScope = z.output<typeof pullRequestStatusScopeRow>;

/** The pull request whose jobset this is, with how its project reports; undefined for other jobsets. */
export async function pullRequestOfJobset(
  db: Queryable,
  jobsetId: number,
): Promise<PullRequestStatusScope | undefined> {
  return queryMaybeOne(
    db,
    pullRequestStatusScopeRow,
    `SELECT pr.number, pr.forge, pr.base_repository, pr.head_repository_url, p.name AS project_name,
       p.repository_url AS project_repository_url, j.name AS jobset_name,
       p.pull_request_statuses AS statuses
     FROM pull_requests pr JOIN jobsets j ON j.id = pr.jobset_id JOIN projects p ON p.id = pr.project_id
     WHERE pr.jobset_id = $1`,
    [jobsetId],
  );
}

export const evaluationProgressRow = z.object({
  id: z.number(),
  jobsetId: z.number(),
  status: z.enum(EVALUATION_STATUSES),
  error: z.string().nullable(),
  inputRevisions: z.record(z.string(), z.unknown()),
  /** Its builds, new and reused. */
  builds: z.number(),
  finished: z.number(),
  succeeded: z.number(),
  /** Jobs that failed to evaluate. */
  jobErrors: z.number(),
});
export type EvaluationProgress = z.output<typeof evaluationProgressRow>;

/** How far an evaluation's builds are; undefined when the evaluation no longer exists. */
export async function evaluationProgress(
  db: Queryable,
  evaluationId: number,
): Promise<EvaluationProgress | undefined> {
  return queryMaybeOne(
    db,
    evaluationProgressRow,
    `SELECT e.id, e.jobset_id, e.status, e.error, e.input_revisions,
       count(b.id)::int AS builds,
       (count(b.id) FILTER (WHERE b.finished))::int AS finished,
       (count(b.id) FILTER (WHERE b.finished AND b.build_status = ${BuildStatus.Succeeded}))::int AS succeeded,
       (SELECT count(*)::int FROM evaluation_errors ee WHERE ee.evaluation_id = e.id) AS job_errors
     FROM evaluations e
     LEFT JOIN evaluation_builds eb ON eb.evaluation_id = e.id
     LEFT JOIN builds b ON b.id = eb.build_id
     WHERE e.id = $1
     GROUP BY e.id`,
    [evaluationId],
  );
}

/**
 * The evaluations a build's statuses are reported for: the one that created it, and its jobset's
 * latest succeeded evaluation when that one has it too (it reused the build at a newer head).
 */
export async function reportedEvaluationsOfBuild(db: Queryable, buildId: number): Promise<number[]> {
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    `SELECT b.evaluation_id AS id FROM builds b WHERE b.id = $1 AND b.evaluation_id IS NOT NULL
     UNION
     SELECT latest.id FROM builds b
     CROSS JOIN LATERAL (SELECT e.id FROM evaluations e WHERE e.jobset_id = b.jobset_id AND e.status = 'succeeded'
                         ORDER BY e.id DESC LIMIT 1) latest
     WHERE b.id = $1
       AND EXISTS (SELECT 1 FROM evaluation_reused_builds r WHERE r.evaluation_id = latest.id AND r.build_id = b.id)
     ORDER BY 1`,
    [buildId],
  );
  return rows.map((r) => r.id);
}

/** The builds an evaluation reused from earlier ones (not created by it). */
export async function reusedBuildIdsOfEvaluation(db: Queryable, evaluationId: number): Promise<number[]> {
  const rows = await queryRows(
    db,
    z.object({ buildId: z.number() }),
    `SELECT build_id FROM evaluation_reused_builds WHERE evaluation_id = $1 ORDER BY build_id`,
    [evaluationId],
  );
  return rows.map((r) => r.buildId);
}
