// / : build stats, projects, recent builds and evaluations, the user's starred jobs.
import type { Services } from '../services/services';
import { definePage, view, type Page } from './page-route';
import { toBuildRow } from './view-models/build-row';
import { buildBadge, formatAgo, paths } from './view-models/display';
import { toEvaluationRow } from './view-models/evaluation-row';

export function homePages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/',
      access: 'public',
      handle: async ({ principal }) => {
        const [stats, day, builds, evaluations, projects, starred] = await Promise.all([
          s.builds.queueCounts(),
          s.builds.finishedLastDay(),
          s.builds.newest({}, 15),
          s.evaluations.newest({}, 10),
          s.projects.list({ limit: 50, offset: 0 }),
          principal?.userId ? s.users.starredJobs(principal.userId) : Promise.resolve([]),
        ]);
        const [counts, starredLatest] = await Promise.all([
          s.evaluations.buildCounts(evaluations),
          Promise.all(
            starred.map(async (j) => (await s.builds.newest({ jobsetId: j.jobsetId, job: j.job }, 1))[0]),
          ),
        ]);
        const now = new Date();
        return view('home', 'Dashboard', {
          stats: {
            queued: stats.queued,
            running: stats.running,
            succeeded: day.succeeded,
            failed: day.failed,
          },
          builds: builds.map((b) => toBuildRow(b, now)),
          evaluations: evaluations.map((e) => toEvaluationRow(e, counts.get(e.id), now)),
          projects: projects.items
            .filter((p) => !p.hidden)
            .map((p) => ({
              name: p.name,
              displayName: p.displayName ?? p.name,
              description: p.description ?? '',
              url: paths.project(p.name),
              enabled: p.enabled,
            })),
          starred:
            principal?.userId === undefined || principal.userId === null
              ? null
              : starred.map((j, i) => {
                  const latest = starredLatest[i];
                  return {
                    job: j.job,
                    jobset: `${j.projectName}:${j.jobsetName}`,
                    url: paths.job(j.projectName, j.jobsetName, j.job),
                    latest: latest
                      ? {
                          url: paths.build(latest.id),
                          id: latest.id,
                          status: buildBadge(latest),
                          ago: formatAgo(latest.stoppedAt ?? latest.createdAt, now),
                        }
                      : null,
                  };
                }),
        });
      },
    }),
  ];
}
