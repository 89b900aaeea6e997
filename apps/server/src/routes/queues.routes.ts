// admin/queues: pg-boss's queues in FC's terms (counts, problems, jobs with their build or jobset,
// retry) and the notification deliveries that failed (with retry). Admins only.
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { ALL_QUEUES, INSPECTED_JOB_STATES } from '@fc/queue';
import { defineRoute, json, type ApiRoute } from '../http/api-route';
import { idParam } from '../views/common.view';
import {
  failedDeliveryView,
  queueJobView,
  queuesOverviewView,
  toFailedDeliveryView,
  toQueueJobView,
  toQueueSummaryView,
  toWarningView,
} from '../views/queue.view';
import type { Services } from '../services/services';

const queueParam = z.object({ name: z.enum(ALL_QUEUES as [string, ...string[]]) });
const jobParam = queueParam.extend({ id: z.uuid() });
const jobsQuery = z.object({
  state: z.enum(INSPECTED_JOB_STATES).default('failed'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z
    .uuid()
    .optional()
    .describe("A job id: the page of older jobs after it (the previous page's next)"),
});
const deliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.number().int().positive().optional(),
});

export function queueRoutes(s: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/queues',
      access: Permission.Admin,
      tag: 'admin',
      summary:
        "Every pg-boss queue: jobs per state, oldest waiting job, throughput, workers, problems; pg-boss's warnings",
      responses: { 200: { description: 'The queues', schema: queuesOverviewView } },
      handle: async () => {
        const o = await s.queues.overview();
        return json(200, {
          queues: o.queues.map((q) => toQueueSummaryView(q, o.takenAt)),
          warnings: o.warnings.map(toWarningView),
          taken_at: o.takenAt.toISOString(),
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/queues/{name}/jobs',
      access: Permission.Admin,
      tag: 'admin',
      summary:
        'Jobs of a queue in one state (default failed), newest first, with the build or jobset each is about',
      params: queueParam,
      query: jobsQuery,
      responses: {
        200: {
          description: 'A page of jobs',
          schema: z.object({ items: z.array(queueJobView), next: z.string().nullable() }),
        },
      },
      handle: async ({ params, query }) => {
        const p = await s.queues.jobs(params.name, query.state, query.limit, query.before);
        return json(200, { items: p.items.map(toQueueJobView), next: p.next ?? null });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/queues/{name}/jobs/{id}',
      access: Permission.Admin,
      tag: 'admin',
      summary: 'One job with its payload and error',
      params: jobParam,
      responses: { 200: { description: 'The job', schema: queueJobView } },
      handle: async ({ params }) => json(200, toQueueJobView(await s.queues.job(params.name, params.id))),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/queues/{name}/jobs/{id}/retry',
      access: Permission.Admin,
      tag: 'admin',
      summary:
        'Retry a failed job: a finished build is restarted, a notification reopens its failed deliveries',
      params: jobParam,
      responses: {
        200: {
          description: 'What was done',
          schema: z.object({
            outcome: z.enum(['build-restarted', 'job-retried']),
            build_id: z.number().int().nullable(),
          }),
        },
        409: { description: 'The job is not failed, or an equivalent job is already queued' },
      },
      handle: async ({ params }) => {
        const r = await s.queues.retry(params.name, params.id);
        return json(200, { outcome: r.kind, build_id: r.kind === 'build-restarted' ? r.buildId : null });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/queues/{name}/jobs/{id}/resume',
      access: Permission.Admin,
      tag: 'admin',
      summary: 'Resume a cancelled job: the cancelled build of a build-derivation job is restarted',
      params: jobParam,
      responses: {
        200: {
          description: 'What was done',
          schema: z.object({
            outcome: z.enum(['build-restarted', 'job-resumed']),
            build_id: z.number().int().nullable(),
          }),
        },
        409: { description: 'The job is not cancelled, or an equivalent job is already queued' },
      },
      handle: async ({ params }) => {
        const r = await s.queues.resume(params.name, params.id);
        return json(200, { outcome: r.kind, build_id: r.kind === 'build-restarted' ? r.buildId : null });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/queues/{name}/jobs/{id}/cancel',
      access: Permission.Admin,
      tag: 'admin',
      summary:
        "Cancel a waiting or active job: a build-derivation job's unfinished build is cancelled (status 4)",
      params: jobParam,
      responses: {
        200: {
          description: 'What was done',
          schema: z.object({
            outcome: z.enum(['build-cancelled', 'job-cancelled']),
            build_id: z.number().int().nullable(),
          }),
        },
        409: { description: 'The job has already ended' },
      },
      handle: async ({ params }) => {
        const r = await s.queues.cancel(params.name, params.id);
        return json(200, { outcome: r.kind, build_id: r.kind === 'build-cancelled' ? r.buildId : null });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/admin/queues/{name}/jobs/{id}',
      access: Permission.Admin,
      tag: 'admin',
      summary: 'Delete a completed, cancelled or failed job from pg-boss',
      params: jobParam,
      responses: {
        204: { description: 'Deleted' },
        409: { description: 'The job is waiting or active: cancel it first' },
      },
      handle: async ({ params }) => {
        await s.queues.delete(params.name, params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/notifications/failed',
      access: Permission.Admin,
      tag: 'admin',
      summary: 'Notification deliveries that failed for good, newest first',
      query: deliveriesQuery,
      responses: {
        200: {
          description: 'A page of deliveries',
          schema: z.object({ items: z.array(failedDeliveryView), next: z.number().int().nullable() }),
        },
      },
      handle: async ({ query }) => {
        const p = await s.queues.failedDeliveries(query.limit, query.before);
        return json(200, { items: p.items.map(toFailedDeliveryView), next: p.next ?? null });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/notifications/{id}/retry',
      access: Permission.Admin,
      tag: 'admin',
      summary: "Deliver a failed notification again (the build's notify-build job is sent anew)",
      params: idParam,
      responses: {
        200: { description: 'Queued again', schema: z.object({ build_id: z.number().int() }) },
        409: { description: 'Not failed, or it reported an earlier finish of its build' },
      },
      handle: async ({ params }) => json(200, { build_id: await s.queues.retryDelivery(params.id) }),
    }),
  ];
}
