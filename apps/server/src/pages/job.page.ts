// /job/{project}/{jobset}/{job}: the job's latest builds and a chart of their duration and output
// size over time; /job/.../latest redirects to its latest successful build (Hydra's URL).
import { z } from 'zod';
import type { Services } from '../services/services';
import { definePage, redirect, view, type Page } from './page-route';
import { toBuildRow } from './view-models/build-row';
import { paths } from './view-models/display';

/** Builds listed and charted. */
const HISTORY = 100;

const jobParams = z.object({ project: z.string().min(1), jobset: z.string().min(1), job: z.string().min(1) });

export function jobPages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/job/:project/:jobset/:job',
      access: 'public',
      params: jobParams,
      handle: async ({ params }) => {
        const builds = await s.jobs.builds(params, HISTORY);
        const now = new Date();
        const chart = builds
          .filter((b) => b.finished && b.startedAt && b.stoppedAt)
          .reverse()
          .map((b) => ({
            id: b.id,
            at: b.stoppedAt!.toISOString(),
            seconds: Math.max(0, Math.round((b.stoppedAt!.getTime() - b.startedAt!.getTime()) / 1000)),
            size: b.size,
          }));
        return view('job', `Job ${params.project}:${params.jobset}:${params.job}`, {
          project: params.project,
          projectUrl: paths.project(params.project),
          jobset: params.jobset,
          jobsetUrl: paths.jobset(params.project, params.jobset),
          job: params.job,
          latestUrl: `${paths.job(params.project, params.jobset, params.job)}/latest`,
          builds: builds.map((b) => toBuildRow(b, now)),
          chart: JSON.stringify(chart),
          charted: chart.length,
        });
      },
    }),
    definePage({
      method: 'get',
      path: '/job/:project/:jobset/:job/latest',
      access: 'public',
      params: jobParams,
      handle: async ({ params }) => redirect(paths.build(await s.jobs.latestSucceeded(params))),
    }),
  ];
}
