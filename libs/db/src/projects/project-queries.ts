// Projects: the API's reads and writes.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryOne, queryRows, updateSetList, countRow } from '../sql';
import { page, type Page, type PageRequest } from '../pagination';

import {
  DECLARATIVE_INPUT_TYPES,
  PULL_REQUEST_STATUS_MODES,
  type DeclarativeInputType,
  type PullRequestStatusMode,
} from '@fc/core';

export { DECLARATIVE_INPUT_TYPES, type DeclarativeInputType };

export const projectRow = z.object({
  id: z.number(),
  name: z.string(),
  displayName: z.string().nullable(),
  description: z.string().nullable(),
  repositoryUrl: z.string(),
  homepage: z.string().nullable(),
  enabled: z.boolean(),
  hidden: z.boolean(),
  ownerId: z.number().nullable(),
  hasGithubWebhookSecret: z.boolean(),
  hasGiteaWebhookSecret: z.boolean(),
  declarativeFile: z.string().nullable(),
  declarativeType: z.enum(DECLARATIVE_INPUT_TYPES).nullable(),
  declarativeValue: z.string().nullable(),
  declarativeBranch: z.string().nullable(),
  enableDynamicRunCommand: z.boolean(),
  buildPullRequests: z.boolean(),
  pullRequestTemplateJobset: z.string().nullable(),
  pullRequestTrustedUsers: z.array(z.string()),
  pullRequestStatuses: z.enum(PULL_REQUEST_STATUS_MODES),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ProjectRow = z.output<typeof projectRow>;

const COLUMNS = `id, name, display_name, description, repository_url, homepage, enabled, hidden, owner_id,
  github_webhook_secret IS NOT NULL AS has_github_webhook_secret,
  gitea_webhook_secret IS NOT NULL AS has_gitea_webhook_secret, declarative_file, declarative_type,
  declarative_value, declarative_branch, enable_dynamic_run_command, build_pull_requests,
  pull_request_template_jobset, pull_request_trusted_users, pull_request_statuses, created_at, updated_at`;

export interface ProjectFields {
  readonly name: string;
  readonly displayName?: string | null | undefined;
  readonly description?: string | null | undefined;
  readonly repositoryUrl: string;
  readonly homepage?: string | null | undefined;
  readonly enabled?: boolean | undefined;
  readonly hidden?: boolean | undefined;
  readonly ownerId?: number | null | undefined;
  readonly githubWebhookSecret?: string | null | undefined;
  readonly giteaWebhookSecret?: string | null | undefined;
  /** The declarative spec: a relative path inside the input below (null = not declarative). */
  readonly declarativeFile?: string | null | undefined;
  readonly declarativeType?: DeclarativeInputType | null | undefined;
  /** git: the repository URL (null = repositoryUrl); path: an absolute directory. */
  readonly declarativeValue?: string | null | undefined;
  readonly declarativeBranch?: string | null | undefined;
  /** Hydra's dynamic RunCommand for the project's jobsets (the server option must be on). */
  readonly enableDynamicRunCommand?: boolean | undefined;
  /** One jobset pr-<number> per open pull request, copied from the template jobset. */
  readonly buildPullRequests?: boolean | undefined;
  /** null = the oldest jobset that is not a pull request's. */
  readonly pullRequestTemplateJobset?: string | null | undefined;
  /** Forge logins whose pull requests from forks are evaluated without approval. */
  readonly pullRequestTrustedUsers?: readonly string[] | undefined;
  /** Commit statuses of pull-request builds: per job, a summary per evaluation, or both. */
  readonly pullRequestStatuses?: PullRequestStatusMode | undefined;
}

export async function insertProject(db: Queryable, p: ProjectFields): Promise<ProjectRow> {
  return queryOne(
    db,
    projectRow,
    `INSERT INTO projects (name, display_name, description, repository_url, homepage, enabled, hidden,
       owner_id, github_webhook_secret, gitea_webhook_secret, declarative_file, declarative_type,
       declarative_value, declarative_branch, enable_dynamic_run_command, build_pull_requests,
       pull_request_template_jobset, pull_request_trusted_users, pull_request_statuses)
     VALUES ($1, $2, $3, $4, $5, coalesce($6, true), coalesce($7, false), $8, $9, $10, $11, $12, $13, $14,
       coalesce($15, false), coalesce($16, false), $17, coalesce($18, '{}'::text[]), coalesce($19, 'both'))
     RETURNING ${COLUMNS}`,
    [
      p.name,
      p.displayName ?? null,
      p.description ?? null,
      p.repositoryUrl,
      p.homepage ?? null,
      p.enabled ?? null,
      p.hidden ?? null,
      p.ownerId ?? null,
      p.githubWebhookSecret ?? null,
      p.giteaWebhookSecret ?? null,
      p.declarativeFile ?? null,
      p.declarativeType ?? null,
      p.declarativeValue ?? null,
      p.declarativeBranch ?? null,
      p.enableDynamicRunCommand ?? null,
      p.buildPullRequests ?? null,
      p.pullRequestTemplateJobset ?? null,
      p.pullRequestTrustedUsers ?? null,
      p.pullRequestStatuses ?? null,
    ],
  );
}

const UPDATABLE: Record<string, string> = {
  name: 'name',
  displayName: 'display_name',
  description: 'description',
  repositoryUrl: 'repository_url',
  homepage: 'homepage',
  enabled: 'enabled',
  hidden: 'hidden',
  githubWebhookSecret: 'github_webhook_secret',
  giteaWebhookSecret: 'gitea_webhook_secret',
  declarativeFile: 'declarative_file',
  declarativeType: 'declarative_type',
  declarativeValue: 'declarative_value',
  declarativeBranch: 'declarative_branch',
  enableDynamicRunCommand: 'enable_dynamic_run_command',
  buildPullRequests: 'build_pull_requests',
  pullRequestTemplateJobset: 'pull_request_template_jobset',
  pullRequestTrustedUsers: 'pull_request_trusted_users',
  pullRequestStatuses: 'pull_request_statuses',
};

/** Updates the given fields (undefined = unchanged); undefined when the project does not exist. */
export async function updateProject(
  db: Queryable,
  id: number,
  changes: Partial<ProjectFields>,
): Promise<ProjectRow | undefined> {
  const values: unknown[] = [id];
  const sets = updateSetList(changes, UPDATABLE, values);
  return queryMaybeOne(
    db,
    projectRow,
    `UPDATE projects SET ${sets} WHERE id = $1 RETURNING ${COLUMNS}`,
    values,
  );
}

export async function deleteProject(db: Queryable, id: number): Promise<boolean> {
  return (await execute(db, 'DELETE FROM projects WHERE id = $1', [id])) === 1;
}

export async function findProject(db: Queryable, id: number): Promise<ProjectRow | undefined> {
  return queryMaybeOne(db, projectRow, `SELECT ${COLUMNS} FROM projects WHERE id = $1`, [id]);
}

export async function findProjectByName(db: Queryable, name: string): Promise<ProjectRow | undefined> {
  return queryMaybeOne(db, projectRow, `SELECT ${COLUMNS} FROM projects WHERE name = $1`, [name]);
}

export async function listProjects(db: Queryable, request: PageRequest): Promise<Page<ProjectRow>> {
  const items = await queryRows(
    db,
    projectRow,
    `SELECT ${COLUMNS} FROM projects ORDER BY name LIMIT $1 OFFSET $2`,
    [request.limit, request.offset],
  );
  const { n } = await queryOne(db, countRow, 'SELECT count(*)::int AS n FROM projects');
  return page(items, n, request);
}

/** The webhook secrets of a project (never part of a view model). */
export async function projectWebhookSecrets(
  db: Queryable,
  id: number,
): Promise<{ github: string | null; gitea: string | null } | undefined> {
  const row = await queryMaybeOne(
    db,
    z.object({ githubWebhookSecret: z.string().nullable(), giteaWebhookSecret: z.string().nullable() }),
    'SELECT github_webhook_secret, gitea_webhook_secret FROM projects WHERE id = $1',
    [id],
  );
  return row && { github: row.githubWebhookSecret, gitea: row.giteaWebhookSecret };
}
