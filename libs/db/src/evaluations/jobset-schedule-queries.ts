// The evaluator's view of jobsets: which are due, what one evaluation needs, and what it leaves on
// the jobset (last check, fetch or evaluation error, one-shot disabled).
import { z } from 'zod';
import { DECLARATIVE_INPUT_TYPES, JOBSET_INPUT_TYPES, JOBSET_STATES } from '@fc/core';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryRows } from '../sql';

/**
 * Jobsets due for a check: enabled (or one-shot / one-at-a-time) in an enabled project, with a
 * non-zero check interval that has passed, not already asked for since their last check, and (for
 * one-at-a-time) no unfinished build left by their last evaluation.
 */
export async function dueJobsetIds(db: Queryable, limit = 1000): Promise<number[]> {
  const rows = await queryRows(
    db,
    z.object({ id: z.number() }),
    `SELECT j.id FROM jobsets j JOIN projects p ON p.id = j.project_id
     WHERE j.state <> 'disabled' AND p.enabled AND j.check_interval > 0
       AND (j.last_checked_at IS NULL OR j.last_checked_at + j.check_interval * interval '1 second' <= now())
       AND (j.trigger_time IS NULL OR j.trigger_time <= coalesce(j.last_checked_at, '-infinity')
            OR j.trigger_time < now() - interval '1 hour')
       AND NOT (j.state = 'one-at-a-time' AND EXISTS (
         SELECT 1 FROM builds b
         WHERE b.evaluation_id = (SELECT max(e.id) FROM evaluations e WHERE e.jobset_id = j.id)
           AND NOT b.finished))
     ORDER BY j.last_checked_at NULLS FIRST
     LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

export const evaluationJobsetRow = z.object({
  id: z.number(),
  projectId: z.number(),
  projectName: z.string(),
  name: z.string(),
  repositoryUrl: z.string(),
  projectEnabled: z.boolean(),
  flakeMode: z.boolean(),
  nixExpression: z.string(),
  nixExpressionInput: z.string().nullable(),
  branch: z.string().nullable(),
  /** A pull request's head commit, fetched instead of the branch's tip; null = the tip. */
  pinnedRevision: z.string().nullable(),
  /** A pull request's jobset (evaluated restricted, whatever the configuration says). */
  pullRequest: z.boolean(),
  state: z.enum(JOBSET_STATES),
  forceEval: z.boolean(),
  declarativeFile: z.string().nullable(),
  declarativeType: z.enum(DECLARATIVE_INPUT_TYPES).nullable(),
  declarativeValue: z.string().nullable(),
  declarativeBranch: z.string().nullable(),
  inputs: z.array(
    z.object({
      name: z.string(),
      type: z.enum(JOBSET_INPUT_TYPES),
      value: z.string(),
      branch: z.string().nullable(),
      secret: z.boolean(),
    }),
  ),
});
export type EvaluationJobsetRow = z.output<typeof evaluationJobsetRow>;

/** Everything one evaluation of the jobset needs, or undefined when it no longer exists. */
export async function jobsetForEvaluation(
  db: Queryable,
  jobsetId: number,
): Promise<EvaluationJobsetRow | undefined> {
  return queryMaybeOne(
    db,
    evaluationJobsetRow,
    `SELECT j.id, j.project_id, p.name AS project_name, j.name, coalesce(j.repository_url, p.repository_url) AS repository_url, p.enabled AS project_enabled,
       j.flake_mode, j.nix_expression, j.nix_expression_input, j.branch, j.pinned_revision,
       EXISTS (SELECT 1 FROM pull_requests pr WHERE pr.jobset_id = j.id) AS pull_request, j.state, j.force_eval,
       p.declarative_file, p.declarative_type, p.declarative_value, p.declarative_branch,
       (SELECT coalesce(json_agg(json_build_object('name', i.name, 'type', i.type, 'value', i.value,
          'branch', i.branch, 'secret', i.secret) ORDER BY i.name), '[]'::json)
          FROM jobset_inputs i WHERE i.jobset_id = j.id) AS inputs
     FROM jobsets j JOIN projects p ON p.id = j.project_id WHERE j.id = $1`,
    [jobsetId],
  );
}

/** The evaluation has started: the check time is recorded, a pending trigger and force consumed. */
export async function markJobsetChecked(db: Queryable, jobsetId: number): Promise<void> {
  await execute(
    db,
    `UPDATE jobsets SET last_checked_at = now(), trigger_time = NULL, force_eval = false WHERE id = $1`,
    [jobsetId],
  );
}

/** A fetch or whole-jobset evaluation failure, shown on the jobset until the next success. */
export async function setJobsetError(db: Queryable, jobsetId: number, message: string): Promise<void> {
  await execute(db, `UPDATE jobsets SET error_message = $2, error_at = now() WHERE id = $1`, [
    jobsetId,
    message,
  ]);
}

export async function clearJobsetError(db: Queryable, jobsetId: number): Promise<void> {
  await execute(
    db,
    `UPDATE jobsets SET error_message = NULL, error_at = NULL WHERE id = $1 AND error_message IS NOT NULL`,
    [jobsetId],
  );
}

/** A one-shot jobset is disabled after its evaluation. */
export async function disableOneShotJobset(db: Queryable, jobsetId: number): Promise<void> {
  await execute(
    db,
    `UPDATE jobsets SET state = 'disabled', updated_at = now() WHERE id = $1 AND state = 'one-shot'`,
    [jobsetId],
  );
}
