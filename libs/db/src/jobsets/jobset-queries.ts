// Jobsets and their inputs: the API's reads and writes.
import { JOBSET_INPUT_TYPES, JOBSET_STATES, type JobsetInputType, type JobsetState } from '@fc/core';
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryOne, queryRows, updateSetList, idRow, countRow } from '../sql';
import { page, type Page, type PageRequest } from '../pagination';

// The vocabulary lives in @fc/core; re-exported for the query layer's callers.
export { JOBSET_INPUT_TYPES, JOBSET_STATES, type JobsetInputType, type JobsetState };

export const jobsetInputRow = z.object({
  name: z.string(),
  type: z.enum(JOBSET_INPUT_TYPES),
  value: z.string(),
  branch: z.string().nullable(),
  /** Shown only to those who may edit the project. */
  secret: z.boolean(),
});
export type JobsetInputRow = z.output<typeof jobsetInputRow>;

export const jobsetRow = z.object({
  id: z.number(),
  projectId: z.number(),
  projectName: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  flakeMode: z.boolean(),
  nixExpression: z.string(),
  nixExpressionInput: z.string().nullable(),
  branch: z.string().nullable(),
  checkInterval: z.number(),
  state: z.enum(JOBSET_STATES),
  schedulingShares: z.number(),
  keepNr: z.number(),
  hidden: z.boolean(),
  enableDynamicRunCommand: z.boolean(),
  triggerTime: z.date().nullable(),
  lastCheckedAt: z.date().nullable(),
  errorMessage: z.string().nullable(),
  errorAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  inputs: z.array(jobsetInputRow),
});
export type JobsetRow = z.output<typeof jobsetRow>;

const SELECT = `SELECT j.id, j.project_id, p.name AS project_name, j.name, j.description, j.flake_mode,
    j.nix_expression, j.nix_expression_input, j.branch, j.check_interval, j.state, j.scheduling_shares, j.keep_nr, j.hidden,
    j.enable_dynamic_run_command,
    j.trigger_time, j.last_checked_at, j.error_message, j.error_at, j.created_at, j.updated_at,
    (SELECT coalesce(json_agg(json_build_object('name', i.name, 'type', i.type, 'value', i.value,
       'branch', i.branch, 'secret', i.secret) ORDER BY i.name), '[]'::json)
       FROM jobset_inputs i WHERE i.jobset_id = j.id) AS inputs
  FROM jobsets j JOIN projects p ON p.id = j.project_id`;

export interface JobsetInputFields {
  readonly name: string;
  readonly type: JobsetInputType;
  readonly value: string;
  readonly branch?: string | null | undefined;
  /** Default false. */
  readonly secret?: boolean | undefined;
}

export interface JobsetFields {
  readonly name: string;
  readonly description?: string | null | undefined;
  readonly flakeMode?: boolean | undefined;
  readonly nixExpression: string;
  /** The input whose checkout holds nixExpression (Hydra's nixexprinput); null = the repository. */
  readonly nixExpressionInput?: string | null | undefined;
  readonly branch?: string | null | undefined;
  readonly checkInterval?: number | undefined;
  readonly state?: JobsetState | undefined;
  readonly schedulingShares?: number | undefined;
  readonly keepNr?: number | undefined;
  readonly hidden?: boolean | undefined;
  /** Hydra's dynamic RunCommand (needs the server option and the project's too). */
  readonly enableDynamicRunCommand?: boolean | undefined;
}

export async function insertJobset(db: Queryable, projectId: number, j: JobsetFields): Promise<number> {
  const row = await queryOne(
    db,
    idRow,
    `INSERT INTO jobsets (project_id, name, description, flake_mode, nix_expression, branch, check_interval,
       state, scheduling_shares, keep_nr, hidden, nix_expression_input, enable_dynamic_run_command)
     VALUES ($1, $2, $3, coalesce($4, false), $5, $6, coalesce($7, 60), coalesce($8, 'enabled'),
       coalesce($9, 100), coalesce($10, 3), coalesce($11, false), $12, coalesce($13, false))
     RETURNING id`,
    [
      projectId,
      j.name,
      j.description ?? null,
      j.flakeMode ?? null,
      j.nixExpression,
      j.branch ?? null,
      j.checkInterval ?? null,
      j.state ?? null,
      j.schedulingShares ?? null,
      j.keepNr ?? null,
      j.hidden ?? null,
      j.nixExpressionInput ?? null,
      j.enableDynamicRunCommand ?? null,
    ],
  );
  return row.id;
}

const UPDATABLE: Record<string, string> = {
  name: 'name',
  description: 'description',
  flakeMode: 'flake_mode',
  nixExpression: 'nix_expression',
  nixExpressionInput: 'nix_expression_input',
  branch: 'branch',
  checkInterval: 'check_interval',
  state: 'state',
  schedulingShares: 'scheduling_shares',
  keepNr: 'keep_nr',
  hidden: 'hidden',
  enableDynamicRunCommand: 'enable_dynamic_run_command',
};

/** Updates the given fields; false when the jobset does not exist. */
export async function updateJobset(
  db: Queryable,
  id: number,
  changes: Partial<JobsetFields>,
): Promise<boolean> {
  const values: unknown[] = [id];
  const sets = updateSetList(changes, UPDATABLE, values);
  return (await execute(db, `UPDATE jobsets SET ${sets} WHERE id = $1`, values)) === 1;
}

/** Replaces every input of the jobset, in bulk. */
export async function replaceJobsetInputs(
  db: Queryable,
  jobsetId: number,
  inputs: readonly JobsetInputFields[],
): Promise<void> {
  await execute(db, 'DELETE FROM jobset_inputs WHERE jobset_id = $1', [jobsetId]);
  if (inputs.length === 0) return;
  await execute(
    db,
    `INSERT INTO jobset_inputs (jobset_id, name, type, value, branch, secret)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[])`,
    [
      jobsetId,
      inputs.map((i) => i.name),
      inputs.map((i) => i.type),
      inputs.map((i) => i.value),
      inputs.map((i) => i.branch ?? null),
      inputs.map((i) => i.secret ?? false),
    ],
  );
}

export async function deleteJobset(db: Queryable, id: number): Promise<boolean> {
  return (await execute(db, 'DELETE FROM jobsets WHERE id = $1', [id])) === 1;
}

export async function findJobset(db: Queryable, id: number): Promise<JobsetRow | undefined> {
  return queryMaybeOne(db, jobsetRow, `${SELECT} WHERE j.id = $1`, [id]);
}

export async function findJobsetByName(
  db: Queryable,
  projectName: string,
  jobsetName: string,
): Promise<JobsetRow | undefined> {
  return queryMaybeOne(db, jobsetRow, `${SELECT} WHERE p.name = $1 AND j.name = $2`, [
    projectName,
    jobsetName,
  ]);
}

export async function listJobsetsOfProject(
  db: Queryable,
  projectId: number,
  request: PageRequest,
): Promise<Page<JobsetRow>> {
  const items = await queryRows(
    db,
    jobsetRow,
    `${SELECT} WHERE j.project_id = $1 ORDER BY j.name LIMIT $2 OFFSET $3`,
    [projectId, request.limit, request.offset],
  );
  const { n } = await queryOne(db, countRow, 'SELECT count(*)::int AS n FROM jobsets WHERE project_id = $1', [
    projectId,
  ]);
  return page(items, n, request);
}

/** The enabled jobsets of a project (webhooks trigger each). */
export async function enabledJobsetIdsOfProject(db: Queryable, projectId: number): Promise<number[]> {
  const rows = await queryRows(
    db,
    idRow,
    `SELECT id FROM jobsets WHERE project_id = $1 AND state <> 'disabled' ORDER BY id`,
    [projectId],
  );
  return rows.map((r) => r.id);
}
