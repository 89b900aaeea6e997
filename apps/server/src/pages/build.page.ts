// /build/{id}: Hydra's build page (status, job, derivation, times, outputs, steps with their logs,
// products, metrics, constituents, the log's tail followed live while it runs) and its actions
// cancel, restart and bump, each answering with a redirect back and a flash message.
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { logSource, logTail } from '../services/build-log-follower';
import type { Services } from '../services/services';
import { definePage, redirect, view, type Page } from './page-route';
import { buildDetailView } from './view-models/build-detail';

/** How much of the log the page shows (the whole log is one link away). */
const LOG_TAIL_BYTES = 64 * 1024;

const idParam = z.object({ id: z.coerce.number().int().positive() });

const ACTIONS = {
  cancel: { permission: Permission.CancelBuild, done: 'cancelled' },
  restart: { permission: Permission.RestartJobs, done: 'queued again' },
  bump: { permission: Permission.BumpToFront, done: 'moved to the front of the queue' },
} as const;

export function buildPages(s: Services): Page[] {
  const actionPages = (Object.keys(ACTIONS) as (keyof typeof ACTIONS)[]).map((verb) =>
    definePage({
      method: 'post',
      path: `/build/:id/${verb}`,
      access: ACTIONS[verb].permission,
      params: idParam,
      back: (p) => `/build/${p.id}`,
      handle: async ({ params }) => {
        await s.builds[verb](params.id);
        return redirect(`/build/${params.id}`, {
          kind: 'success',
          text: `Build ${params.id} ${ACTIONS[verb].done}.`,
        });
      },
    }),
  );
  return [
    definePage({
      method: 'get',
      path: '/build/:id',
      access: 'public',
      params: idParam,
      handle: async (ctx) => {
        const { params } = ctx;
        const can = (p: Permission) => ctx.can(p);
        const build = await s.builds.get(params.id);
        const [steps, tail] = await Promise.all([
          s.builds.steps(params.id, true),
          logTail(logSource(s.builds, s.logs), params.id, LOG_TAIL_BYTES, !build.finished),
        ]);
        const model = buildDetailView(build, steps, tail, {
          cancel: !build.finished && can(Permission.CancelBuild),
          restart: build.finished && can(Permission.RestartJobs),
          bump: !build.finished && can(Permission.BumpToFront),
        });
        return view(
          'build',
          `Build ${build.id} of job ${build.projectName}:${build.jobsetName}:${build.job}`,
          {
            build: model,
          },
        );
      },
    }),
    ...actionPages,
  ];
}
