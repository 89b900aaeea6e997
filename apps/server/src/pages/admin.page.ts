// /admin (admins only): system status, every queue with its problems, failed jobs and failed
// notification deliveries with retry, the failed builds cache with Hydra's "clear" action
// (/admin/clear-failed-cache), a search by job id or build number; /admin/queues/{name}: one queue's
// jobs by state; /admin/queues/{name}/jobs/{id}: one job with its data, output and error, and retry,
// resume, cancel and delete in FC's terms (cancelling a build's job cancels the build).
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { ALL_QUEUES, INSPECTED_JOB_STATES } from '@fc/queue';
import type { Services } from '../services/services';
import { definePage, redirect, safeLocalPath, view, type Page } from './page-route';
import { NotFoundError } from '@fc/core';
import {
  deliveryRowView,
  queueJobDetailView,
  queueJobRowView,
  queueJobUrl,
  queueRowView,
  systemView,
  warningView,
} from './view-models/admin';

const queueParam = z.object({ name: z.enum(ALL_QUEUES as [string, ...string[]]) });
const retryBody = z.object({ return_to: z.string().optional() });
const jobParams = queueParam.extend({ id: z.uuid() });

/** Failed jobs shown per queue on /admin (the queue's own page pages through the rest). */
const FAILED_PER_QUEUE = 10;

/** A form action on one job: done, it goes back to the job's page (or `to`) saying what it did. */
function jobAction(
  verb: 'resume' | 'cancel' | 'delete',
  act: (queue: string, id: string) => Promise<{ text: string; to?: string }>,
): Page {
  return definePage({
    method: 'post',
    path: `/admin/queues/:name/jobs/:id/${verb}`,
    access: Permission.Admin,
    params: jobParams,
    back: (p) => queueJobUrl(p.name, p.id),
    handle: async ({ params }) => {
      const { text, to } = await act(params.name, params.id);
      return redirect(to ?? queueJobUrl(params.name, params.id), { kind: 'success', text });
    },
  });
}

export function adminPages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/admin',
      access: Permission.Admin,
      handle: async () => {
        const [system, overview, deliveries, failedPaths] = await Promise.all([
          s.system.status(),
          s.queues.overview(),
          s.queues.failedDeliveries(25),
          s.builds.failedPathCount(),
        ]);
        const failed = await Promise.all(
          overview.queues
            .filter((q) => q.failed > 0)
            .map(async (q) => ({
              queue: q.name,
              url: `/admin/queues/${encodeURIComponent(q.name)}?state=failed`,
              total: q.failed,
              jobs: (await s.queues.jobs(q.name, 'failed', FAILED_PER_QUEUE)).items.map((j) =>
                queueJobRowView(j, overview.takenAt),
              ),
            })),
        );
        return view('admin', 'Admin', {
          system: systemView(system, overview.takenAt),
          queues: overview.queues.map((q) => queueRowView(q, overview.takenAt)),
          failed,
          deliveries: deliveries.items.map((d) => deliveryRowView(d, overview.takenAt)),
          moreDeliveries: deliveries.next !== undefined,
          warnings: overview.warnings.map((w) => warningView(w, overview.takenAt)),
          failedPaths,
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/clear-failed-cache',
      access: Permission.Admin,
      back: () => '/admin#failed-cache',
      handle: async () => {
        const cleared = await s.builds.clearFailedPaths();
        return redirect('/admin#failed-cache', {
          kind: 'success',
          text: `The failed builds cache was cleared (${cleared} output path${cleared === 1 ? '' : 's'}): failed derivations will be built again.`,
        });
      },
    }),
    definePage({
      method: 'get',
      path: '/admin/queues/:name',
      access: Permission.Admin,
      params: queueParam,
      query: z.object({ state: z.enum(INSPECTED_JOB_STATES).default('failed'), before: z.uuid().optional() }),
      handle: async ({ params, query }) => {
        const p = await s.queues.jobs(params.name, query.state, 50, query.before);
        const now = new Date();
        const base = `/admin/queues/${encodeURIComponent(params.name)}`;
        return view('admin-queue', `Queue ${params.name} · Admin`, {
          queue: params.name,
          state: query.state,
          states: INSPECTED_JOB_STATES.map((st) => ({
            name: st,
            url: `${base}?state=${st}`,
            current: st === query.state,
          })),
          jobs: p.items.map((j) => queueJobRowView(j, now)),
          next: p.next ? `${base}?state=${query.state}&before=${p.next}` : null,
          first: query.before ? `${base}?state=${query.state}` : null,
          returnTo: query.before
            ? `${base}?state=${query.state}&before=${query.before}`
            : `${base}?state=${query.state}`,
        });
      },
    }),
    definePage({
      method: 'get',
      path: '/admin/jobs',
      access: Permission.Admin,
      query: z.object({ q: z.string().trim().min(1, 'type a job id or a build number') }),
      handle: async ({ query }) => {
        try {
          const job = await s.queues.find(query.q);
          return redirect(queueJobUrl(job.queue, job.id));
        } catch (e) {
          if (e instanceof NotFoundError)
            return redirect('/admin#find-job', { kind: 'error', text: e.message });
          throw e;
        }
      },
    }),
    definePage({
      method: 'get',
      path: '/admin/queues/:name/jobs/:id',
      access: Permission.Admin,
      params: jobParams,
      handle: async ({ params }) => {
        const job = queueJobDetailView(await s.queues.job(params.name, params.id));
        return view('admin-job', `Job ${params.id} of ${params.name} · Admin`, { job });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/queues/:name/jobs/:id/retry',
      access: Permission.Admin,
      params: jobParams,
      body: retryBody,
      back: (p) => queueJobUrl(p.name, p.id),
      handle: async ({ params, body }) => {
        const r = await s.queues.retry(params.name, params.id);
        const text =
          r.kind === 'build-restarted'
            ? `Build ${r.buildId} was restarted.`
            : `Job ${params.id} of ${params.name} will run again.`;
        return redirect(safeLocalPath(body.return_to, '/admin'), { kind: 'success', text });
      },
    }),
    jobAction('resume', async (queue, id) => {
      const r = await s.queues.resume(queue, id);
      return {
        text:
          r.kind === 'build-restarted'
            ? `Build ${r.buildId} was restarted.`
            : `Job ${id} of ${queue} is waiting again.`,
      };
    }),
    jobAction('cancel', async (queue, id) => {
      const r = await s.queues.cancel(queue, id);
      return {
        text:
          r.kind === 'build-cancelled' ? `Build ${r.buildId} cancelled.` : `Job ${id} of ${queue} cancelled.`,
      };
    }),
    jobAction('delete', async (queue, id) => {
      await s.queues.delete(queue, id);
      return { text: `Job ${id} of ${queue} deleted.`, to: `/admin/queues/${encodeURIComponent(queue)}` };
    }),
    definePage({
      method: 'post',
      path: '/admin/notifications/:id/retry',
      access: Permission.Admin,
      params: z.object({ id: z.coerce.number().int().positive() }),
      back: () => '/admin#notifications',
      handle: async ({ params }) => {
        const buildId = await s.queues.retryDelivery(params.id);
        return redirect('/admin#notifications', {
          kind: 'success',
          text: `The notification of build ${buildId} will be delivered again.`,
        });
      },
    }),
  ];
}
