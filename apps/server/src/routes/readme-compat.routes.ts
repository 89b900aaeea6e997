// The FC README's API table, served as it documents it where FC's own routes differ: PUT beside
// PATCH, jobsets under their project, the promoted evaluation in the path, stars removed by id.
// Each README route delegates to FC's own route (same access, validation and answer), so the two
// cannot drift; OpenAPI marks them with x-fc-readme-route.
import { z } from 'zod';
import { defineRoute, type ApiRoute, type HttpMethod } from '../http/api-route';
import type { Services } from '../services/services';
import { userIdOf } from './accounts.routes';

/** FC's PATCH routes the README updates with PUT. */
const PUT_BESIDE_PATCH = [
  '/api/v1/projects/{id}',
  '/api/v1/jobsets/{id}',
  '/api/v1/users/{id}',
  '/api/v1/me',
  '/api/v1/admin/builders/{id}',
] as const;

const positiveId = z.coerce.number().int().positive();
const jobsetOfProjectParams = z.object({ pid: positiveId, id: positiveId });

export function readmeCompatRoutes(fcRoutes: readonly ApiRoute[], s: Services): ApiRoute[] {
  const fc = (method: HttpMethod, path: string): ApiRoute => {
    const route = fcRoutes.find((r) => r.method === method && r.path === path);
    if (!route) throw new Error(`README route: FC's own ${method.toUpperCase()} ${path} is missing`);
    return route;
  };
  const ownName = (r: ApiRoute) => `${r.method.toUpperCase()} ${r.path}`;

  const puts = PUT_BESIDE_PATCH.map((path): ApiRoute => {
    const patch = fc('patch', path);
    return { ...patch, method: 'put', readmeRouteOf: ownName(patch) };
  });

  const jobsetRoutes = (['get', 'put', 'delete'] as const).map((method): ApiRoute => {
    const own = fc(method === 'put' ? 'patch' : method, '/api/v1/jobsets/{id}');
    return defineRoute({
      method,
      path: '/api/v1/projects/{pid}/jobsets/{id}',
      access: own.access,
      tag: own.tag,
      summary: `${own.summary} (named by its project)`,
      readmeRouteOf: ownName(own),
      params: jobsetOfProjectParams,
      body: own.body,
      responses: own.responses,
      handle: async (ctx) => {
        await s.projects.getJobsetOfProject(ctx.params.pid, ctx.params.id);
        return own.handle({ ...ctx, params: { id: ctx.params.id } });
      },
    });
  });

  const promote = fc('post', '/api/v1/channels/{id}/promote');
  const starred = fc('delete', '/api/v1/me/starred-jobs/{jobset_id}/{job}');
  return [
    ...puts,
    ...jobsetRoutes,
    defineRoute({
      method: 'post',
      path: '/api/v1/channels/{id}/promote/{eval}',
      access: promote.access,
      tag: promote.tag,
      summary: promote.summary,
      readmeRouteOf: `${ownName(promote)} with {"evaluation_id"}`,
      params: z.object({ id: positiveId, eval: positiveId.describe('the evaluation to promote') }),
      responses: promote.responses,
      handle: (ctx) =>
        promote.handle({ ...ctx, params: { id: ctx.params.id }, body: { evaluation_id: ctx.params.eval } }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/me/starred-jobs/{id}',
      access: starred.access,
      tag: starred.tag,
      summary: 'Unstar a job, by the id its star was given',
      readmeRouteOf: ownName(starred),
      params: z.object({ id: positiveId }),
      responses: { 204: { description: 'Unstarred' } },
      handle: async ({ principal, params }) => {
        await s.users.unstarById(userIdOf(principal), params.id);
        return { status: 204 };
      },
    }),
  ];
}
