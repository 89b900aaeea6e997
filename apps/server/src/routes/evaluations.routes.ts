// Evaluations: list, get, trigger, restart their failed or aborted builds.
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { defineRoute, json, JSON_CONTENT_TYPE, type ApiRoute } from '../http/api-route';
import { cursorPageQuery, cursorPageView, idParam, mapCursorPage } from '../views/common.view';
import { EVALUATION_STATUSES } from '@fc/core';
import { EXACT_EVALUATION_TOTAL_CAP } from '../services/evaluation.service';
import {
  comparisonWindowOf,
  evaluationComparisonQuery,
  evaluationComparisonView,
  evaluationPageJsonText,
  evaluationView,
  showableAsWritten,
  toEvaluationComparisonView,
  toEvaluationView,
} from '../views/evaluation.view';
import type { Services } from '../services/services';
import { disclosureFor } from '../views/disclosure';

const optionalId = z.coerce.number().int().positive().optional();

export function evaluationRoutes(s: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/evaluations',
      access: 'public',
      tag: 'evaluations',
      summary: 'List evaluations, newest first',
      description:
        'Filters: project_id, jobset_id, status. total is exact up to 1,000 matches. Page with cursor ' +
        "(each page's next_cursor): as fast at any depth; offset goes up to 10,000.",
      query: cursorPageQuery.extend({
        project_id: optionalId,
        jobset_id: optionalId,
        status: z.enum(EVALUATION_STATUSES).optional(),
      }),
      responses: {
        200: {
          description: 'A page of evaluations',
          schema: cursorPageView(evaluationView, EXACT_EVALUATION_TOTAL_CAP),
        },
      },
      handle: async ({ query, principal }) => {
        const d = disclosureFor(principal);
        const filter = { projectId: query.project_id, jobsetId: query.jobset_id, status: query.status };
        // As PostgreSQL wrote it when nothing in it is to be hidden from this caller; else read again
        // the ordinary way, each evaluation shown through toEvaluationView.
        const written = await s.evaluations.listJson(filter, query);
        if (showableAsWritten(written, d)) {
          return { status: 200, text: evaluationPageJsonText(written), contentType: JSON_CONTENT_TYPE };
        }
        const page = await s.evaluations.list(filter, query);
        return json(
          200,
          mapCursorPage(page, (e) => toEvaluationView(e, d)),
        );
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/evaluations/trigger',
      access: Permission.EvalJobset,
      tag: 'evaluations',
      summary: 'Ask for an evaluation of a jobset',
      description:
        'Publishes an evaluate-jobset job; at most one is queued per jobset, so a second trigger while one waits ' +
        'answers queued: false (a forced one still makes the waiting evaluation forced).',
      body: z.strictObject({ jobset_id: z.number().int().positive(), force: z.boolean().default(false) }),
      responses: {
        202: {
          description: 'Accepted',
          schema: z.object({
            jobset_id: z.number().int(),
            queued: z.boolean(),
            job_id: z.string().nullable(),
          }),
        },
      },
      handle: async ({ body }) => {
        const r = await s.evaluations.trigger(body.jobset_id, body.force);
        return json(202, { jobset_id: body.jobset_id, queued: r.queued, job_id: r.jobId });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/evaluations/{id}',
      access: 'public',
      tag: 'evaluations',
      summary: 'Get an evaluation with its per-job errors',
      params: idParam,
      responses: { 200: { description: 'The evaluation', schema: evaluationView } },
      handle: async ({ params, principal }) =>
        json(200, toEvaluationView(await s.evaluations.get(params.id), disclosureFor(principal))),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/evaluations/{id}/restart',
      access: Permission.RestartJobs,
      tag: 'evaluations',
      summary: "Restart an evaluation's aborted (3, 4, 9) or failed (every non-zero status) builds",
      params: idParam,
      body: z.strictObject({ which: z.enum(['aborted', 'failed']) }),
      responses: {
        200: {
          description: 'The restarted builds',
          schema: z.object({ restarted: z.array(z.number().int()) }),
        },
      },
      handle: async ({ params, body }) =>
        json(200, { restarted: await s.evaluations.restartBuilds(params.id, body.which) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/evaluations/{id}/comparison',
      access: 'public',
      tag: 'evaluations',
      summary: "Compare an evaluation's builds with the jobset's previous evaluation (Hydra's groups)",
      description:
        'Builds are matched by job and system with the previous succeeded evaluation of the jobset: new failures ' +
        '(now_fail), still failing, now succeeding, still succeeding, new jobs, removed jobs, unfinished and ' +
        "aborted (3, 4, 7, 10) builds. counts holds each group's size; each array holds at most limit builds " +
        '(default 1,000, at most 10,000), by job and system, from offset on. To read a group past that, ask for ' +
        'it alone: group=now_fail&offset=1000 gives its next builds. Computed in PostgreSQL; the comparison ' +
        'of two evaluations with more than 20,000 builds together may be up to 10 s old.',
      params: idParam,
      query: evaluationComparisonQuery,
      responses: { 200: { description: 'The comparison', schema: evaluationComparisonView } },
      handle: async ({ params, query }) =>
        json(
          200,
          toEvaluationComparisonView(await s.evaluations.compare(params.id, comparisonWindowOf(query))),
        ),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/evaluations/{id}/cancel',
      access: Permission.CancelBuild,
      tag: 'evaluations',
      summary: "Cancel an evaluation's unfinished builds, queued and running (Hydra's eval cancel)",
      description:
        'Every build of the evaluation that has not finished gets status 4; a running one is killed.',
      params: idParam,
      responses: {
        200: {
          description: 'The cancelled builds',
          schema: z.object({ cancelled: z.array(z.number().int()) }),
        },
      },
      handle: async ({ params }) =>
        json(200, { cancelled: await s.evaluations.cancelUnfinishedBuilds(params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/evaluations/{id}/bump',
      access: Permission.BumpToFront,
      tag: 'evaluations',
      summary: "Move an evaluation's unfinished builds to the front of the queue",
      params: idParam,
      responses: {
        200: { description: 'The bumped builds', schema: z.object({ bumped: z.array(z.number().int()) }) },
      },
      handle: async ({ params }) => json(200, { bumped: await s.evaluations.bumpBuilds(params.id) }),
    }),
  ];
}
