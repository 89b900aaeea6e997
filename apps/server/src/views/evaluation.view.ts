import { z } from 'zod';
import { EVALUATION_STATUSES } from '@fc/core';
import type { EvaluationDetailRow } from '@fc/db';
import type { ComparedBuild } from '../services/evaluation-comparison';
import type { EvaluationComparisonResult } from '../services/evaluation.service';
import { iso, timestamp } from './common.view';
import { shownInputRevisions, shownText, type Disclosure } from './disclosure';

export const evaluationView = z
  .object({
    id: z.number().int(),
    jobset_id: z.number().int(),
    project_id: z.number().int(),
    status: z.enum(EVALUATION_STATUSES),
    phase: z.string().nullable(),
    jobs_evaluated: z.number().int(),
    forced: z.boolean(),
    revision: z.string().nullable(),
    input_revisions: z.record(z.string(), z.unknown()),
    flake_url: z.string().nullable(),
    has_new_builds: z.boolean(),
    nr_builds: z.number().int(),
    nr_new_builds: z.number().int(),
    checkout_duration_ms: z.number().int().nullable(),
    eval_duration_ms: z.number().int().nullable(),
    errors: z.array(z.object({ job: z.string(), message: z.string() })),
    error: z.string().nullable(),
    created_at: timestamp,
    started_at: timestamp.nullable(),
    finished_at: timestamp.nullable(),
  })
  .meta({ id: 'Evaluation' });

export function toEvaluationView(e: EvaluationDetailRow, d: Disclosure): z.output<typeof evaluationView> {
  return {
    id: e.id,
    jobset_id: e.jobsetId,
    project_id: e.projectId,
    status: e.status,
    phase: e.phase,
    jobs_evaluated: e.jobsEvaluated,
    forced: e.forced,
    revision: e.revision,
    input_revisions: shownInputRevisions(e.inputRevisions, e.secretInputs, d),
    flake_url: shownText(e.flakeUrl, d),
    has_new_builds: e.hasNewBuilds,
    nr_builds: e.nrBuilds,
    nr_new_builds: e.nrNewBuilds,
    checkout_duration_ms: e.checkoutDurationMs,
    eval_duration_ms: e.evalDurationMs,
    errors: e.errors.map((x) => ({ job: x.job, message: shownText(x.message, d) })),
    error: shownText(e.error, d),
    created_at: iso(e.createdAt),
    started_at: iso(e.startedAt),
    finished_at: iso(e.finishedAt),
  };
}

const comparedBuildView = z.object({
  id: z.number().int(),
  job: z.string(),
  system: z.string(),
  finished: z.boolean(),
  build_status: z.number().int().nullable(),
});

export const evaluationComparisonView = z
  .object({
    evaluation_id: z.number().int(),
    previous_evaluation_id: z.number().int().nullable(),
    now_fail: z.array(comparedBuildView),
    still_fail: z.array(comparedBuildView),
    now_succeed: z.array(comparedBuildView),
    still_succeed: z.array(comparedBuildView),
    new: z.array(comparedBuildView),
    removed: z.array(z.object({ job: z.string(), system: z.string() })),
    unfinished: z.array(comparedBuildView),
    aborted: z.array(comparedBuildView),
    total_failed: z.number().int(),
    total_aborted: z.number().int(),
    total_queued: z.number().int(),
  })
  .meta({ id: 'EvaluationComparison' });

export function toEvaluationComparisonView(
  r: EvaluationComparisonResult,
): z.output<typeof evaluationComparisonView> {
  const builds = (list: readonly ComparedBuild[]) =>
    list.map((b) => ({
      id: b.id,
      job: b.job,
      system: b.system,
      finished: b.finished,
      build_status: b.buildStatus,
    }));
  const c = r.comparison;
  return {
    evaluation_id: r.evaluation.id,
    previous_evaluation_id: r.previousId,
    now_fail: builds(c.nowFail),
    still_fail: builds(c.stillFail),
    now_succeed: builds(c.nowSucceed),
    still_succeed: builds(c.stillSucceed),
    new: builds(c.new),
    removed: c.removed,
    unfinished: builds(c.unfinished),
    aborted: builds(c.aborted),
    total_failed: c.totalFailed,
    total_aborted: c.totalAborted,
    total_queued: c.totalQueued,
  };
}
