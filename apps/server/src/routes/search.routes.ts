// Search and quick search (autocomplete).
import { z } from 'zod';
import type { BuildHit, JobHit, JobsetHit, ProjectHit } from '@fc/db';
import { buildStatusName } from '@fc/core';
import { defineRoute, json, type ApiRoute } from '../http/api-route';
import type { SearchResult } from '../services/search.service';
import type { Services } from '../services/services';

const searchView = z
  .object({
    projects: z.array(
      z.object({ id: z.number().int(), name: z.string(), display_name: z.string().nullable() }),
    ),
    jobsets: z.array(
      z.object({
        id: z.number().int(),
        project_id: z.number().int(),
        project_name: z.string(),
        name: z.string(),
      }),
    ),
    jobs: z.array(
      z.object({
        jobset_id: z.number().int(),
        jobset_name: z.string(),
        project_id: z.number().int(),
        project_name: z.string(),
        job: z.string(),
        latest_build_id: z.number().int(),
      }),
    ),
    builds: z.array(
      z.object({
        id: z.number().int(),
        project_id: z.number().int(),
        jobset_id: z.number().int(),
        job: z.string(),
        nix_name: z.string().nullable(),
        drv_path: z.string(),
        system: z.string(),
        status: z.string(),
        matched_output_path: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'SearchResult' });

function toSearchView(r: SearchResult): z.output<typeof searchView> {
  return {
    projects: r.projects.map((p: ProjectHit) => ({ id: p.id, name: p.name, display_name: p.displayName })),
    jobsets: r.jobsets.map((j: JobsetHit) => ({
      id: j.id,
      project_id: j.projectId,
      project_name: j.projectName,
      name: j.name,
    })),
    jobs: r.jobs.map((j: JobHit) => ({
      jobset_id: j.jobsetId,
      jobset_name: j.jobsetName,
      project_id: j.projectId,
      project_name: j.projectName,
      job: j.job,
      latest_build_id: j.latestBuildId,
    })),
    builds: r.builds.map((b: BuildHit) => ({
      id: b.id,
      project_id: b.projectId,
      jobset_id: b.jobsetId,
      job: b.job,
      nix_name: b.nixName,
      drv_path: b.drvPath,
      system: b.system,
      status: buildStatusName(b.finished, b.buildStatus, b.startedAt),
      matched_output_path: b.matchedOutputPath,
    })),
  };
}

const q = z.string().trim().min(1).max(200);

export function searchRoutes(s: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/search',
      access: 'public',
      tag: 'search',
      summary: 'Search projects, jobsets, jobs and builds',
      description:
        'Names match anywhere (jobs and builds from 3 characters); a store path, or a bare hash of 6+ characters, ' +
        'matches derivation and output paths by prefix.',
      query: z.object({ q, limit: z.coerce.number().int().min(1).max(100).default(20) }),
      responses: { 200: { description: 'Matches per kind', schema: searchView } },
      handle: async ({ query }) =>
        json(200, toSearchView(await s.search.search(query.q, query.limit, { builds: true }))),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/search/quick',
      access: 'public',
      tag: 'search',
      summary: 'A few project, jobset and job matches, for autocompletion (no builds)',
      query: z.object({ q }),
      responses: { 200: { description: 'Matches per kind', schema: searchView } },
      handle: async ({ query }) =>
        json(200, toSearchView(await s.search.search(query.q, 5, { builds: false }))),
    }),
  ];
}
