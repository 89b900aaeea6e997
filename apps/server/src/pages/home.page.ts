// / : build stats, projects, recent builds and evaluations, the user's starred jobs.
import type { Services } from '../services/services';
import { definePage, view, type Page } from './page-route';
import { toBuildRow } from './view-models/build-row';
import { paths } from './view-models/display';

export function homePages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/',
      access: 'public',
      handle: async () => {
        const [stats, builds, projects] = await Promise.all([
          s.builds.statistics(),
          s.builds.list({}, { limit: 15, offset: 0 }),
          s.projects.list({ limit: 50, offset: 0 }),
        ]);
        const now = new Date();
        return view('home', 'Dashboard', {
          stats: { queued: stats.queued, running: stats.running, finishedLastHour: stats.finishedLastHour },
          builds: builds.items.map((b) => toBuildRow(b, now)),
          projects: projects.items
            .filter((p) => !p.hidden)
            .map((p) => ({
              name: p.name,
              displayName: p.displayName ?? p.name,
              description: p.description ?? '',
              url: paths.project(p.name),
              enabled: p.enabled,
            })),
        });
      },
    }),
  ];
}
