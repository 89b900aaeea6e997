// Declarative projects (Hydra's declfile): the hidden ".jobsets" jobset, the jobsets a spec creates,
// updates or retires, and which succeeded "jobsets" build was applied last.
import { DECLARATIVE_JOBSETS_JOBSET } from '@fc/core';
import { z } from 'zod';
import { BuildStatus } from '@fc/core';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryOne, queryRows } from '../sql';
import type { JobsetState } from '../jobsets/jobset-queries';

/** Hydra's name for the jobset that evaluates a declarative project's spec (a name rule: libs/core). */
export { DECLARATIVE_JOBSETS_JOBSET };
/** The job of ".jobsets" whose output is the JSON object of jobset specs. */
export const DECLARATIVE_JOBSETS_JOB = 'jobsets';

/**
 * Creates the project's ".jobsets" jobset when missing (hidden, polled every minute until its spec
 * says otherwise). Its expression is a placeholder: every evaluation configures it from the spec first.
 */
export async function ensureJobsetsJobset(db: Queryable, projectId: number, specFile: string): Promise<void> {
  await execute(
    db,
    `INSERT INTO jobsets (project_id, name, nix_expression, hidden, check_interval)
     VALUES ($1, '${DECLARATIVE_JOBSETS_JOBSET}', $2, true, 60)
     ON CONFLICT (project_id, name) DO NOTHING`,
    [projectId, specFile],
  );
}

/** Removes ".jobsets" (the project is no longer declarative); its other jobsets stay. */
export async function deleteJobsetsJobset(db: Queryable, projectId: number): Promise<void> {
  await execute(db, `DELETE FROM jobsets WHERE project_id = $1 AND name = '${DECLARATIVE_JOBSETS_JOBSET}'`, [
    projectId,
  ]);
}

/** A jobset as a declarative spec gives it; undefined fields keep their value (or the default). */
export interface DeclarativeJobsetFields {
  readonly name: string;
  readonly nixExpression: string;
  readonly nixExpressionInput: string;
  readonly description?: string | undefined;
  readonly state?: JobsetState | undefined;
  readonly hidden?: boolean | undefined;
  readonly checkInterval?: number | undefined;
  readonly schedulingShares?: number | undefined;
  readonly keepNr?: number | undefined;
  /** A flake jobset (Hydra's type 1): the flake is in nixExpressionInput. */
  readonly flakeMode?: boolean | undefined;
  readonly enableDynamicRunCommand?: boolean | undefined;
}

/** Creates or updates the named jobset of the project (Hydra's update_or_create); its id, and whether it is new. */
export async function upsertDeclarativeJobset(
  db: Queryable,
  projectId: number,
  j: DeclarativeJobsetFields,
): Promise<{ id: number; created: boolean }> {
  return queryOne(
    db,
    z.object({ id: z.number(), created: z.boolean() }),
    `INSERT INTO jobsets (project_id, name, description, flake_mode, nix_expression, nix_expression_input,
       check_interval, state, scheduling_shares, keep_nr, hidden, enable_dynamic_run_command)
     VALUES ($1, $2, $3, coalesce($11, false), $4, $5, coalesce($6, 60), coalesce($7, 'enabled'),
       coalesce($8, 100), coalesce($9, 3), coalesce($10, false), coalesce($12, false))
     ON CONFLICT (project_id, name) DO UPDATE SET
       description = coalesce($3, jobsets.description),
       flake_mode = coalesce($11, false),
       enable_dynamic_run_command = coalesce($12, false),
       nix_expression = $4,
       nix_expression_input = $5,
       check_interval = coalesce($6, jobsets.check_interval),
       state = coalesce($7, jobsets.state),
       scheduling_shares = coalesce($8, jobsets.scheduling_shares),
       keep_nr = coalesce($9, jobsets.keep_nr),
       hidden = coalesce($10, jobsets.hidden),
       updated_at = now()
     RETURNING id, (xmax = 0) AS created`,
    [
      projectId,
      j.name,
      j.description ?? null,
      j.nixExpression,
      j.nixExpressionInput,
      j.checkInterval ?? null,
      j.state ?? null,
      j.schedulingShares ?? null,
      j.keepNr ?? null,
      j.hidden ?? null,
      j.flakeMode ?? null,
      j.enableDynamicRunCommand ?? null,
    ],
  );
}

/**
 * Disables and hides the project's jobsets a spec no longer lists (never ".jobsets", nor a pull
 * request's own jobset); how many changed.
 */
export async function retireUndeclaredJobsets(
  db: Queryable,
  projectId: number,
  declared: readonly string[],
): Promise<number> {
  return execute(
    db,
    `UPDATE jobsets SET state = 'disabled', hidden = true, updated_at = now()
     WHERE project_id = $1 AND name <> '${DECLARATIVE_JOBSETS_JOBSET}' AND name <> ALL($2::text[])
       AND (state <> 'disabled' OR NOT hidden)
       AND NOT EXISTS (SELECT 1 FROM pull_requests pr WHERE pr.jobset_id = jobsets.id)`,
    [projectId, declared],
  );
}

export const pendingDeclarativeBuildRow = z.object({
  projectId: z.number(),
  projectName: z.string(),
  jobsetsJobsetId: z.number(),
  buildId: z.number(),
  outputPath: z.string().nullable(),
});
export type PendingDeclarativeBuild = z.output<typeof pendingDeclarativeBuildRow>;

/**
 * For each declarative project, the newest succeeded "jobsets" build of its ".jobsets" jobset when it
 * is newer than the one applied last, with its output ("out", else the first by name).
 */
export async function pendingDeclarativeBuilds(db: Queryable): Promise<PendingDeclarativeBuild[]> {
  return queryRows(
    db,
    pendingDeclarativeBuildRow,
    `SELECT p.id AS project_id, p.name AS project_name, j.id AS jobsets_jobset_id, b.id AS build_id,
       (SELECT o.path FROM build_outputs o WHERE o.build_id = b.id
        ORDER BY o.name <> 'out', o.name LIMIT 1) AS output_path
     FROM projects p
     JOIN jobsets j ON j.project_id = p.id AND j.name = '${DECLARATIVE_JOBSETS_JOBSET}'
     CROSS JOIN LATERAL (
       SELECT b.id FROM builds b
       WHERE b.jobset_id = j.id AND b.job = '${DECLARATIVE_JOBSETS_JOB}' AND b.finished AND b.build_status = ${BuildStatus.Succeeded}
       ORDER BY b.id DESC LIMIT 1) b
     WHERE p.declarative_file IS NOT NULL AND b.id > coalesce(p.declarative_applied_build_id, 0)
     ORDER BY p.id`,
  );
}

/**
 * Locks the project's row for applying a build, and says whether that build is still pending (not
 * applied by a concurrent scheduler, and the project still declarative).
 */
export async function lockDeclarativeBuild(
  db: Queryable,
  projectId: number,
  buildId: number,
): Promise<boolean> {
  const row = await queryMaybeOne(
    db,
    z.object({ pending: z.boolean() }),
    `SELECT declarative_file IS NOT NULL AND $2 > coalesce(declarative_applied_build_id, 0) AS pending
     FROM projects WHERE id = $1 FOR UPDATE`,
    [projectId, buildId],
  );
  return row?.pending ?? false;
}

export async function setDeclarativeAppliedBuild(
  db: Queryable,
  projectId: number,
  buildId: number,
): Promise<void> {
  await execute(db, 'UPDATE projects SET declarative_applied_build_id = $2 WHERE id = $1', [
    projectId,
    buildId,
  ]);
}
