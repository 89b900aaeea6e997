import { z } from 'zod';
import { EVALUATION_STATUSES } from '@fc/core';
import type { ComparisonGroup, EvaluationDetailRow } from '@fc/db';
import {
  buildsOfGroup,
  type ComparisonWindow,
  type EvaluationComparisonResult,
  type EvaluationJsonPage,
} from '../services/evaluation.service';
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

/**
 * Whether a page of evaluations as PostgreSQL wrote it (nothing redacted) may be shown to a caller
 * as it is: one who may see credentials, or a page with nothing to hide: no secret inputs among
 * its jobsets, no input marked secret, and no "@" anywhere (redactCredentials changes only text
 * with an "@" in it).
 */
export function showableAsWritten(p: EvaluationJsonPage, d: Disclosure): boolean {
  return (
    d.credentials ||
    (!p.items.hasSecretInputs && !p.items.itemsJson.includes('@') && !p.items.itemsJson.includes('"secret"'))
  );
}

/** The JSON text of a page of evaluations as PostgreSQL wrote its items (see showableAsWritten). */
export function evaluationPageJsonText(p: EvaluationJsonPage): string {
  return (
    `{"items":${p.items.itemsJson},"total":${p.total},"total_exact":${p.totalExact},` +
    `"limit":${p.limit},"offset":${p.offset},"next_cursor":${p.nextCursor}}`
  );
}

const comparedBuildView = z.object({
  id: z.number().int(),
  job: z.string(),
  system: z.string(),
  finished: z.boolean(),
  build_status: z.number().int().nullable(),
});

/** The comparison's groups as the API names them, and as the services do. */
export const COMPARISON_GROUP_NAMES = {
  now_fail: 'nowFail',
  still_fail: 'stillFail',
  now_succeed: 'nowSucceed',
  still_succeed: 'stillSucceed',
  new: 'new',
  removed: 'removed',
  unfinished: 'unfinished',
  aborted: 'aborted',
} as const satisfies Record<string, ComparisonGroup>;
type ApiGroup = keyof typeof COMPARISON_GROUP_NAMES;
const API_GROUPS = Object.keys(COMPARISON_GROUP_NAMES) as [ApiGroup, ...ApiGroup[]];

/** Each group's builds returned by default, and at most. */
export const COMPARISON_DEFAULT_LIMIT = 1_000;
export const COMPARISON_MAX_LIMIT = 10_000;
/** Past any evaluation's size (nixpkgs has about 250,000 jobs). */
const COMPARISON_MAX_OFFSET = 10_000_000;

export const evaluationComparisonQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(COMPARISON_MAX_LIMIT)
    .default(COMPARISON_DEFAULT_LIMIT)
    .describe(
      "Builds of each group returned (from offset on, by job and system); counts has each group's total",
    ),
  group: z
    .enum(API_GROUPS)
    .optional()
    .describe(
      'Only this group: its builds from offset on (the other groups come back empty, their counts kept)',
    ),
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .max(COMPARISON_MAX_OFFSET)
    .default(0)
    .describe("Where each group's builds start, by job and system"),
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
    counts: z
      .object(
        Object.fromEntries(API_GROUPS.map((g) => [g, z.number().int()])) as Record<ApiGroup, z.ZodNumber>,
      )
      .describe('Builds in each group (the arrays hold at most limit of them)'),
    limit: z.number().int(),
    offset: z.number().int(),
    group: z.enum(API_GROUPS).nullable(),
    total_failed: z.number().int(),
    total_aborted: z.number().int(),
    total_queued: z.number().int(),
  })
  .meta({ id: 'EvaluationComparison' });

/** The services' window of a comparison request. */
export function comparisonWindowOf(q: z.output<typeof evaluationComparisonQuery>): ComparisonWindow {
  return {
    limit: q.limit,
    offset: q.offset,
    ...(q.group === undefined ? {} : { group: COMPARISON_GROUP_NAMES[q.group] }),
  };
}

export function toEvaluationComparisonView(
  r: EvaluationComparisonResult,
): z.output<typeof evaluationComparisonView> {
  const builds = (group: ComparisonGroup) =>
    buildsOfGroup(r, group).map((b) => ({
      id: b.id,
      job: b.job,
      system: b.system,
      finished: b.buildStatus !== null,
      build_status: b.buildStatus,
    }));
  const apiGroup = API_GROUPS.find((g) => COMPARISON_GROUP_NAMES[g] === r.window.group) ?? null;
  return {
    evaluation_id: r.evaluation.id,
    previous_evaluation_id: r.previousId,
    now_fail: builds('nowFail'),
    still_fail: builds('stillFail'),
    now_succeed: builds('nowSucceed'),
    still_succeed: builds('stillSucceed'),
    new: builds('new'),
    removed: buildsOfGroup(r, 'removed').map((b) => ({ job: b.job, system: b.system })),
    unfinished: builds('unfinished'),
    aborted: builds('aborted'),
    counts: Object.fromEntries(API_GROUPS.map((g) => [g, r.counts[COMPARISON_GROUP_NAMES[g]]])) as Record<
      ApiGroup,
      number
    >,
    limit: r.window.limit,
    offset: r.window.offset,
    group: apiGroup,
    total_failed: r.totals.failed,
    total_aborted: r.totals.aborted,
    total_queued: r.totals.queued,
  };
}
