// /builds: every build, newest first, filtered by status, system, job, project, jobset and evaluation; paged by
// build id (keyset), so no page counts or skips a million rows.
import { z } from 'zod';
import { BUILD_STATUS_LABELS, BUILD_STATUS_NAMES, NotFoundError } from '@fc/core';
import { parseStatusFilter } from '../services/build.service';
import type { Services } from '../services/services';
import { definePage, view, type Page } from './page-route';
import { toBuildRow } from './view-models/build-row';

const PAGE_SIZE = 50;
const blankAsUndefined = (v: unknown) => (v === '' ? undefined : v);

const buildsQuery = z.object({
  status: z.preprocess(blankAsUndefined, z.enum(BUILD_STATUS_NAMES).optional()),
  system: z.preprocess(blankAsUndefined, z.string().max(64).optional()),
  job: z.preprocess(blankAsUndefined, z.string().max(255).optional()),
  project: z.preprocess(blankAsUndefined, z.coerce.number().int().positive().optional()),
  jobset: z.preprocess(blankAsUndefined, z.string().max(255).optional()),
  evaluation: z.preprocess(blankAsUndefined, z.coerce.number().int().positive().optional()),
  before: z.preprocess(blankAsUndefined, z.coerce.number().int().positive().optional()),
});

export function buildsPages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/builds',
      access: 'public',
      query: buildsQuery,
      handle: async ({ query }) => {
        const projects = await s.projects.list({ limit: 500, offset: 0 });
        let jobsetId: number | undefined;
        if (query.jobset !== undefined) {
          if (query.project === undefined) throw new NotFoundError('choose the project of the jobset');
          const jobsets = await s.projects.listJobsets(query.project, { limit: 500, offset: 0 });
          const js = jobsets.items.find((j) => j.name === query.jobset);
          if (!js) throw new NotFoundError(`the project has no jobset "${query.jobset}"`);
          jobsetId = js.id;
        }
        // One more than shown: whether an older page exists, without counting.
        const found = await s.builds.newest(
          {
            status: parseStatusFilter(query.status),
            system: query.system,
            job: query.job,
            projectId: query.project,
            jobsetId,
            evaluationId: query.evaluation,
          },
          PAGE_SIZE + 1,
          query.before,
        );
        const items = found.slice(0, PAGE_SIZE);
        const link = (before: number | undefined) => {
          const p = new URLSearchParams();
          for (const [k, v] of Object.entries({ ...query, before })) if (v !== undefined) p.set(k, String(v));
          const qs = p.toString();
          return qs ? `/builds?${qs}` : '/builds';
        };
        const now = new Date();
        return view('builds', 'Builds', {
          builds: items.map((b) => toBuildRow(b, now)),
          filter: {
            status: query.status ?? '',
            system: query.system ?? '',
            job: query.job ?? '',
            project: query.project ?? '',
            jobset: query.jobset ?? '',
            evaluation: query.evaluation ?? '',
          },
          statuses: BUILD_STATUS_NAMES.map((n) => ({
            name: n,
            label: BUILD_STATUS_LABELS[n],
          })),
          projects: projects.items.map((p) => ({ id: p.id, name: p.displayName ?? p.name })),
          older: found.length > PAGE_SIZE ? link(items.at(-1)!.id) : null,
          newest: query.before !== undefined ? link(undefined) : null,
        });
      },
    }),
  ];
}
