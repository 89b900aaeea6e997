// /search?q= : projects, jobsets, jobs and builds (by name, or by store path / hash prefix).
import { z } from 'zod';
import type { Services } from '../services/services';
import { definePage, view, type Page } from './page-route';
import { buildBadge, paths } from './view-models/display';

const LIMIT = 25;

export function searchPages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/search',
      access: 'public',
      query: z.object({ q: z.string().trim().max(200, 'must be at most 200 characters').default('') }),
      handle: async ({ query }) => {
        if (!query.q) return view('search', 'Search', { query: '', results: null });
        const r = await s.search.search(query.q, LIMIT, { builds: true });
        const projectNames = new Map(r.projects.map((p) => [p.id, p.name]));
        for (const j of r.jobsets) projectNames.set(j.projectId, j.projectName);
        for (const j of r.jobs) projectNames.set(j.projectId, j.projectName);
        return view('search', `Search: ${query.q}`, {
          query: query.q,
          results: {
            projects: r.projects.map((p) => ({ name: p.displayName ?? p.name, url: paths.project(p.name) })),
            jobsets: r.jobsets.map((j) => ({
              name: `${j.projectName}:${j.name}`,
              url: paths.jobset(j.projectName, j.name),
            })),
            jobs: r.jobs.map((j) => ({
              name: j.job,
              jobset: `${j.projectName}:${j.jobsetName}`,
              url: paths.job(j.projectName, j.jobsetName, j.job),
              latestUrl: paths.build(j.latestBuildId),
            })),
            builds: r.builds.map((b) => ({
              id: b.id,
              url: paths.build(b.id),
              job: b.job,
              nixName: b.nixName ?? '',
              system: b.system,
              status: buildBadge(b),
              matched: b.matchedOutputPath ?? '',
            })),
          },
        });
      },
    }),
  ];
}
