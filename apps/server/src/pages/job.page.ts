// /job/{project}/{jobset}/{job}: the job's latest builds, a chart of their duration and output size
// over time, and a star for a logged-in user (the home page lists starred jobs). Hydra's redirects
// keep working with whatever follows them (…/latest/download/1/x.iso):
// /job/.../latest to the latest successful build, latest-for/{system} to that of one system,
// latest-finished to the latest successful build of an evaluation whose builds have all finished.
import { z } from 'zod';
import { userIdOf } from '../routes/accounts.routes';
import type { Services } from '../services/services';
import { definePage, redirect, view, type Page } from './page-route';
import { toBuildRow } from './view-models/build-row';
import { paths } from './view-models/display';

/** Builds listed and charted. */
const HISTORY = 100;

const jobParams = z.object({ project: z.string().min(1), jobset: z.string().min(1), job: z.string().min(1) });
/** What follows a latest-* redirect, passed on to the build's URL. */
const rest = z.array(z.string()).optional();

/** The build's URL with the rest of Hydra's path after it. */
function buildUrlWith(id: number, segments: readonly string[] | undefined): string {
  const tail = (segments ?? []).map(encodeURIComponent).join('/');
  return tail ? `${paths.build(id)}/${tail}` : paths.build(id);
}

export function jobPages(s: Services): Page[] {
  /** One of Hydra's latest-* redirects; its path may name a system (latest-for/{system}). */
  const latest = (path: string, inFinishedEvaluation: boolean) =>
    definePage({
      method: 'get',
      path: `/job/:project/:jobset/:job/${path}{/*rest}`,
      access: 'public',
      params: jobParams.extend({ system: z.string().min(1).optional(), rest }),
      handle: async ({ params }) => {
        const id = await s.jobs.latestSucceeded(params, { system: params.system, inFinishedEvaluation });
        return redirect(buildUrlWith(id, params.rest));
      },
    });
  const star = (verb: 'star' | 'unstar') =>
    definePage({
      method: 'post',
      path: `/job/:project/:jobset/:job/${verb}`,
      access: 'authenticated',
      params: jobParams,
      back: (p) => paths.job(p.project, p.jobset, p.job),
      handle: async ({ params, principal }) => {
        const userId = userIdOf(principal);
        const jobset = await s.projects.getJobsetByName(params.project, params.jobset);
        if (verb === 'star') await s.users.star(userId, jobset.id, params.job);
        else await s.users.unstar(userId, jobset.id, params.job);
        return redirect(paths.job(params.project, params.jobset, params.job), {
          kind: 'success',
          text:
            verb === 'star' ? `Starred ${params.job}: it is on your dashboard.` : `Unstarred ${params.job}.`,
        });
      },
    });

  return [
    definePage({
      method: 'get',
      path: '/job/:project/:jobset/:job',
      access: 'public',
      params: jobParams,
      handle: async ({ params, principal }) => {
        const builds = await s.jobs.builds(params, HISTORY);
        const userId = principal?.userId ?? null;
        const starred =
          userId === null
            ? null
            : (await s.users.starredJobs(userId)).some(
                (j) =>
                  j.projectName === params.project && j.jobsetName === params.jobset && j.job === params.job,
              );
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
        const url = paths.job(params.project, params.jobset, params.job);
        return view('job', `Job ${params.project}:${params.jobset}:${params.job}`, {
          project: params.project,
          projectUrl: paths.project(params.project),
          jobset: params.jobset,
          jobsetUrl: paths.jobset(params.project, params.jobset),
          job: params.job,
          latestUrl: `${url}/latest`,
          star: starred === null ? null : { starred, action: `${url}/${starred ? 'unstar' : 'star'}` },
          builds: builds.map((b) => toBuildRow(b, now)),
          chart: JSON.stringify(chart),
          charted: chart.length,
        });
      },
    }),
    latest('latest', false),
    latest('latest-for/:system', false),
    latest('latest-finished', true),
    star('star'),
    star('unstar'),
  ];
}
