import { z } from 'zod';
import { EVALUATION_STATUSES } from '@fc/core';
import type { EvaluationDetailRow } from '@fc/db';
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
