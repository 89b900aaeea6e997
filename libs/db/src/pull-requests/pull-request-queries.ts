// Pull requests as the forge last described them, the project settings that govern them, and the
// repository override of their jobsets.
import { z } from 'zod';
import { PULL_REQUEST_STATUS_MODES } from '@fc/core';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryOne, queryRows } from '../sql';

export const pullRequestRow = z.object({
  projectId: z.number(),
  number: z.number(),
  forge: z.enum(['github', 'gitea']),
  author: z.string(),
  title: z.string().nullable(),
  headRepositoryUrl: z.string(),
  headBranch: z.string(),
  headSha: z.string(),
  state: z.enum(['open', 'closed']),
  approvedAt: z.date().nullable(),
  /** The forge's answer to "may the author write to the project's repository?"; null: not asked. */
  authorMayWrite: z.boolean().nullable(),
  jobsetId: z.number().nullable(),
  updatedAt: z.date(),
  baseRepository: z.string().nullable(),
  closedAt: z.date().nullable(),
  merged: z.boolean(),
});
export type PullRequestRow = z.output<typeof pullRequestRow>;

const COLUMNS = `project_id, number, forge, author, title, head_repository_url, head_branch, head_sha, state,
  approved_at, author_may_write, jobset_id, updated_at, base_repository, closed_at, merged`;

export const pullRequestSettingsRow = z.object({
  id: z.number(),
  repositoryUrl: z.string(),
  buildPullRequests: z.boolean(),
  pullRequestTemplateJobset: z.string().nullable(),
  pullRequestTrustedUsers: z.array(z.string()),
  pullRequestStatuses: z.enum(PULL_REQUEST_STATUS_MODES),
});
export type PullRequestSettingsRow = z.output<typeof pullRequestSettingsRow>;

export async function pullRequestSettingsOfProject(
  db: Queryable,
  projectId: number,
): Promise<PullRequestSettingsRow | undefined> {
  return queryMaybeOne(
    db,
    pullRequestSettingsRow,
    `SELECT id, repository_url, build_pull_requests, pull_request_template_jobset, pull_request_trusted_users,
       pull_request_statuses
     FROM projects WHERE id = $1`,
    [projectId],
  );
}

/** The pull request as FC last recorded it; undefined when FC never heard of it. */
export async function findPullRequest(
  db: Queryable,
  projectId: number,
  number: number,
): Promise<PullRequestRow | undefined> {
  return queryMaybeOne(
    db,
    pullRequestRow,
    `SELECT ${COLUMNS} FROM pull_requests WHERE project_id = $1 AND number = $2`,
    [projectId, number],
  );
}

/** The pull request, locked for the caller's transaction; undefined when FC never heard of it. */
export async function lockPullRequest(
  db: Queryable,
  projectId: number,
  number: number,
): Promise<PullRequestRow | undefined> {
  return queryMaybeOne(
    db,
    pullRequestRow,
    `SELECT ${COLUMNS} FROM pull_requests WHERE project_id = $1 AND number = $2 FOR UPDATE`,
    [projectId, number],
  );
}

export interface PullRequestFields {
  readonly projectId: number;
  readonly number: number;
  readonly forge: 'github' | 'gitea';
  readonly author: string;
  readonly title: string | null;
  readonly headRepositoryUrl: string;
  readonly headBranch: string;
  readonly headSha: string;
  readonly state: 'open' | 'closed';
  /** "owner/name" on the forge; null keeps what was known. */
  readonly baseRepository: string | null;
  readonly merged: boolean;
  readonly authorMayWrite: boolean | null;
}

/** Records what the forge said (the approval and jobset are kept; closed_at set at the close). */
export async function upsertPullRequest(db: Queryable, p: PullRequestFields): Promise<PullRequestRow> {
  return queryOne(
    db,
    pullRequestRow,
    `INSERT INTO pull_requests (project_id, number, forge, author, title, head_repository_url, head_branch,
       head_sha, state, base_repository, merged, closed_at, author_may_write)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $9 = 'closed' THEN now() END, $12)
     ON CONFLICT (project_id, number) DO UPDATE SET forge = EXCLUDED.forge, author = EXCLUDED.author,
       title = EXCLUDED.title, head_repository_url = EXCLUDED.head_repository_url,
       head_branch = EXCLUDED.head_branch, head_sha = EXCLUDED.head_sha, state = EXCLUDED.state,
       base_repository = coalesce(EXCLUDED.base_repository, pull_requests.base_repository),
       merged = EXCLUDED.merged,
       closed_at = CASE WHEN EXCLUDED.state = 'closed' THEN coalesce(pull_requests.closed_at, now()) END,
       author_may_write = EXCLUDED.author_may_write, updated_at = now()
     RETURNING ${COLUMNS}`,
    [
      p.projectId,
      p.number,
      p.forge,
      p.author,
      p.title,
      p.headRepositoryUrl,
      p.headBranch,
      p.headSha,
      p.state,
      p.baseRepository,
      p.merged,
      p.authorMayWrite,
    ],
  );
}

export async function setPullRequestJobset(
  db: Queryable,
  projectId: number,
  number: number,
  jobsetId: number,
): Promise<void> {
  await execute(db, `UPDATE pull_requests SET jobset_id = $3 WHERE project_id = $1 AND number = $2`, [
    projectId,
    number,
    jobsetId,
  ]);
}

export async function approvePullRequest(db: Queryable, projectId: number, number: number): Promise<void> {
  await execute(
    db,
    `UPDATE pull_requests SET approved_at = coalesce(approved_at, now()) WHERE project_id = $1 AND number = $2`,
    [projectId, number],
  );
}

/**
 * A pull request's jobset fetches this repository (null = the project's) at this commit (null = the
 * branch's tip) instead of the project's repository.
 */
export async function setJobsetSource(
  db: Queryable,
  jobsetId: number,
  source: { readonly repositoryUrl: string | null; readonly pinnedRevision: string | null },
): Promise<void> {
  await execute(db, `UPDATE jobsets SET repository_url = $2, pinned_revision = $3 WHERE id = $1`, [
    jobsetId,
    source.repositoryUrl,
    source.pinnedRevision,
  ]);
}

/** The project's jobset of that name (the id), or undefined. */
export async function jobsetIdByName(
  db: Queryable,
  projectId: number,
  name: string,
): Promise<number | undefined> {
  const row = await queryMaybeOne(
    db,
    z.object({ id: z.number() }),
    `SELECT id FROM jobsets WHERE project_id = $1 AND name = $2`,
    [projectId, name],
  );
  return row?.id;
}

/** The default template: the oldest jobset that is no pull request's own (nor a declarative ".jobsets"). */
export async function defaultTemplateJobsetId(db: Queryable, projectId: number): Promise<number | undefined> {
  const row = await queryMaybeOne(
    db,
    z.object({ id: z.number() }),
    `SELECT j.id FROM jobsets j
     WHERE j.project_id = $1 AND j.name !~ '^pr-[0-9]+$' AND j.name <> '.jobsets'
       AND NOT EXISTS (SELECT 1 FROM pull_requests pr WHERE pr.jobset_id = j.id)
     ORDER BY j.id LIMIT 1`,
    [projectId],
  );
  return row?.id;
}

/** The pull requests FC believes open, and those numbered (whatever their state), of one forge. */
export async function pullRequestsToReconcile(
  db: Queryable,
  projectId: number,
  forge: 'github' | 'gitea',
  numbers: readonly number[],
): Promise<PullRequestRow[]> {
  return queryRows(
    db,
    pullRequestRow,
    `SELECT ${COLUMNS} FROM pull_requests
     WHERE project_id = $1 AND forge = $2 AND (state = 'open' OR number = ANY($3::int[]))`,
    [projectId, forge, numbers],
  );
}

/** The projects that build pull requests, with the repository their forge is asked about. */
export async function projectsBuildingPullRequests(
  db: Queryable,
): Promise<{ id: number; name: string; repositoryUrl: string }[]> {
  return queryRows(
    db,
    z.object({ id: z.number(), name: z.string(), repositoryUrl: z.string() }),
    `SELECT id, name, repository_url FROM projects WHERE build_pull_requests AND enabled ORDER BY id`,
    [],
  );
}

/** The database's clock (the one updated_at is written by). */
export async function databaseNow(db: Queryable): Promise<Date> {
  return (await queryOne(db, z.object({ now: z.date() }), `SELECT now() AS now`, [])).now;
}

/** The project's pull requests FC heard of, newest number first. */
export async function listPullRequestsOfProject(db: Queryable, projectId: number): Promise<PullRequestRow[]> {
  return queryRows(
    db,
    pullRequestRow,
    `SELECT ${COLUMNS} FROM pull_requests WHERE project_id = $1 ORDER BY number DESC LIMIT 1000`,
    [projectId],
  );
}

export const retiredPullRequestJobsetRow = z.object({
  number: z.number(),
  jobsetId: z.number(),
  jobsetName: z.string(),
  keepNr: z.number(),
  /** Evaluations of the template begun since the pull request closed that succeeded. */
  templateEvaluations: z.number(),
  unfinishedBuilds: z.boolean(),
});
export type RetiredPullRequestJobsetRow = z.output<typeof retiredPullRequestJobsetRow>;

/**
 * The jobsets of the project's closed pull requests, when `templateJobsetId` is the project's template
 * (pull_request_template_jobset when it exists, else the oldest jobset that is no pull request's),
 * each with the template's evaluations since the close. Empty for any other jobset.
 */
export async function retiredPullRequestJobsets(
  db: Queryable,
  projectId: number,
  templateJobsetId: number,
): Promise<RetiredPullRequestJobsetRow[]> {
  return queryRows(
    db,
    retiredPullRequestJobsetRow,
    `WITH template AS (
       SELECT coalesce(
         (SELECT j.id FROM jobsets j JOIN projects p ON p.id = j.project_id
          WHERE p.id = $1 AND j.name = p.pull_request_template_jobset),
         (SELECT j.id FROM jobsets j
          WHERE j.project_id = $1 AND j.name !~ '^pr-[0-9]+$' AND j.name <> '.jobsets'
            AND NOT EXISTS (SELECT 1 FROM pull_requests pr WHERE pr.jobset_id = j.id)
          ORDER BY j.id LIMIT 1)) AS id
     )
     SELECT pr.number, j.id AS jobset_id, j.name AS jobset_name, j.keep_nr,
       (SELECT count(*)::int FROM evaluations e
        WHERE e.jobset_id = t.id AND e.status = 'succeeded' AND e.created_at > pr.closed_at) AS template_evaluations,
       EXISTS (SELECT 1 FROM builds b WHERE b.jobset_id = j.id AND NOT b.finished) AS unfinished_builds
     FROM template t
     JOIN pull_requests pr ON pr.project_id = $1 AND pr.state = 'closed' AND pr.closed_at IS NOT NULL
     JOIN jobsets j ON j.id = pr.jobset_id
     WHERE t.id = $2
     ORDER BY pr.number`,
    [projectId, templateJobsetId],
  );
}
