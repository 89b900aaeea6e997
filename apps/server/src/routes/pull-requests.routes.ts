// Pull requests: the project's list, and an admin's approval of one by an untrusted author.
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { defineRoute, json, type ApiRoute } from '../http/api-route';
import type { Services } from '../services/services';

const outcome = z.object({
  action: z.enum(['build', 'await-approval', 'retire', 'ignore']),
  jobset: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  message: z.string(),
});

const pullRequestView = z.object({
  number: z.number().int(),
  forge: z.enum(['github', 'gitea']),
  author: z.string(),
  title: z.string().nullable(),
  state: z.enum(['open', 'closed']),
  head_repository_url: z.string(),
  head_branch: z.string(),
  head_sha: z.string(),
  base_repository: z
    .string()
    .nullable()
    .describe('The base repository as the forge named it ("owner/name"), where commit statuses go'),
  merged: z.boolean().describe('Closed by a merge'),
  closed_at: z.string().nullable(),
  waiting_for_approval: z.boolean(),
  approved_at: z.string().nullable(),
  jobset_id: z.number().int().nullable(),
  updated_at: z.string(),
});

export function pullRequestRoutes(s: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/projects/{id}/pull-requests',
      access: Permission.CreateProjects,
      tag: 'projects',
      summary:
        "The pull requests FC knows, from webhooks and the forge's list (newest first, at most 1000), and which wait for approval",
      params: z.object({ id: z.coerce.number().int().positive() }),
      responses: {
        200: { description: 'The pull requests', schema: z.object({ items: z.array(pullRequestView) }) },
        404: { description: 'The project does not exist' },
      },
      handle: async ({ params }) =>
        json(200, {
          items: (await s.pullRequests.list(params.id)).map(({ pr, waiting }) => ({
            number: pr.number,
            forge: pr.forge,
            author: pr.author,
            title: pr.title,
            state: pr.state,
            head_repository_url: pr.headRepositoryUrl,
            head_branch: pr.headBranch,
            head_sha: pr.headSha,
            base_repository: pr.baseRepository,
            merged: pr.merged,
            closed_at: pr.closedAt?.toISOString() ?? null,
            waiting_for_approval: waiting,
            approved_at: pr.approvedAt?.toISOString() ?? null,
            jobset_id: pr.jobsetId,
            updated_at: pr.updatedAt.toISOString(),
          })),
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/projects/{id}/pull-requests/{number}/approve',
      access: Permission.CreateProjects,
      tag: 'projects',
      summary: "Approve an untrusted author's pull request: its jobset pr-<number> is created and evaluated",
      description:
        'The approval holds for the pull request’s later head commits too. A closed pull request, or a ' +
        'project without build_pull_requests, is only marked approved.',
      params: z.object({
        id: z.coerce.number().int().positive(),
        number: z.coerce.number().int().positive().max(2147483647),
      }),
      responses: {
        200: { description: 'Approved, and what FC did', schema: outcome },
        404: { description: 'The project does not exist, or no webhook told FC of this pull request' },
        409: { description: 'The template jobset is missing, or the name pr-<number> is taken' },
      },
      handle: async ({ params }) => json(200, await s.pullRequests.approve(params.id, params.number)),
    }),
  ];
}
