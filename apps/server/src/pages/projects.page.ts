// /projects (list, create form), /project/{name or id} (jobsets with their latest evaluation, the
// project's pull requests with an approve button, the add-jobset and edit forms, webhook set-up;
// admins set or rotate the secrets).
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { Permission } from '@fc/auth';
import {
  NAME_PATTERN,
  NAME_RULE,
  PULL_REQUEST_STATUS_MODES,
  jobsetNameProblem,
  repositoryUrlProblem,
  sameRepository,
} from '@fc/core';
import type { ProjectRow } from '@fc/db';
import { pullRequestJobsetName } from '@fc/pull-requests';
import type { Services } from '../services/services';
import { checkbox, integerField, optionalText } from './form-fields';
import { definePage, redirect, view, type Page } from './page-route';
import { paths } from './view-models/display';
import { toEvaluationRow } from './view-models/evaluation-row';
import { toPullRequestRow } from './view-models/pull-request-row';
import { disclosureFor, shownText, type Disclosure } from '../views/disclosure';

const name = z.string().trim().regex(NAME_PATTERN, NAME_RULE);

const projectForm = z.object({
  name,
  display_name: optionalText,
  description: optionalText,
  repository_url: z.string().trim().min(1, 'is required'),
  homepage: optionalText,
});

const jobsetForm = z.object({
  name,
  description: optionalText,
  nix_expression: z.string().trim().min(1, 'is required'),
  branch: optionalText.refine((b) => b === null || !b.startsWith('-'), 'must not start with "-"'),
  check_interval: integerField(0).default(60),
  flake_mode: checkbox,
  enabled: checkbox,
});

const refParam = z.object({ ref: z.string().min(1) });

/** A zod check from one of libs/core's rules (the API applies the same). */
function rule(problem: (value: string) => string | undefined) {
  return (value: string | null, ctx: z.RefinementCtx) => {
    const message = value === null ? undefined : problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  };
}

/** Forge logins, separated by commas, spaces or lines. */
const loginList = z
  .string()
  .optional()
  .transform((v) => [...new Set((v ?? '').split(/[\s,]+/).filter(Boolean))])
  .pipe(z.array(z.string().max(100, 'a login is at most 100 characters')).max(1000));

const projectEditForm = z.object({
  display_name: optionalText,
  description: optionalText,
  repository_url: z.string().trim().min(1, 'is required').superRefine(rule(repositoryUrlProblem)),
  homepage: optionalText,
  enabled: checkbox,
  build_pull_requests: checkbox,
  pull_request_template_jobset: optionalText.superRefine(rule(jobsetNameProblem)),
  pull_request_trusted_users: loginList,
  pull_request_statuses: z.enum(PULL_REQUEST_STATUS_MODES),
});

function projectSummary(p: ProjectRow, d: Disclosure) {
  return {
    id: p.id,
    name: p.name,
    displayName: p.displayName ?? p.name,
    description: p.description ?? '',
    repositoryUrl: shownText(p.repositoryUrl, d),
    // Only a web address becomes a link (never javascript: or data:).
    homepage: p.homepage && /^https?:\/\//i.test(p.homepage) ? p.homepage : '',
    enabled: p.enabled,
    declarative: p.declarativeFile !== null,
    url: paths.project(p.name),
  };
}

/** The address webhooks reach this server at: server.base_url, else the one the browser used. */
function baseUrlOf(req: Request, configured: string | undefined): string {
  return (configured ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`).replace(/\/+$/, '');
}

export function projectPages(s: Services, options: { baseUrl: string | undefined }): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/projects',
      access: 'public',
      query: z.object({ offset: integerField(0).default(0) }),
      handle: async ({ query, principal }) => {
        const list = await s.projects.list({ limit: 100, offset: query.offset });
        const d = disclosureFor(principal);
        return view('projects', 'Projects', {
          projects: list.items.filter((p) => !p.hidden).map((p) => projectSummary(p, d)),
          total: list.total,
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/projects',
      access: Permission.CreateProjects,
      body: projectForm,
      back: () => '/projects',
      handle: async ({ body, principal }) => {
        const project = await s.projects.create({
          name: body.name,
          displayName: body.display_name,
          description: body.description,
          repositoryUrl: body.repository_url,
          homepage: body.homepage,
          ownerId: principal?.userId ?? null,
        });
        return redirect(paths.project(project.name), {
          kind: 'success',
          text: `Project ${project.name} created.`,
        });
      },
    }),
    definePage({
      method: 'get',
      path: '/project/:ref',
      access: 'public',
      params: refParam,
      handle: async ({ params, req, principal }) => {
        const d = disclosureFor(principal);
        const project = await s.projects.getByNameOrId(params.ref);
        const jobsets = await s.projects.listJobsets(project.id, { limit: 200, offset: 0 });
        const pullRequests = await s.pullRequests.list(project.id);
        const latest = await s.evaluations.latestOfJobsets([
          ...new Set([
            ...jobsets.items.map((j) => j.id),
            ...pullRequests.flatMap(({ pr }) => (pr.jobsetId === null ? [] : [pr.jobsetId])),
          ]),
        ]);
        const counts = await s.evaluations.buildCounts([...latest.values()]);
        const now = new Date();
        const base = baseUrlOf(req, options.baseUrl);
        return view('project', `Project ${project.displayName ?? project.name}`, {
          project: projectSummary(project, d),
          jobsets: jobsets.items
            .filter((j) => !j.hidden)
            .map((j) => {
              const e = latest.get(j.id);
              return {
                name: j.name,
                url: paths.jobset(project.name, j.name),
                description: j.description ?? '',
                state: j.state,
                errorMessage: shownText(j.errorMessage ?? '', d),
                latest: e ? toEvaluationRow(e, counts.get(e.id), now) : null,
              };
            }),
          pullRequests: {
            enabled: project.buildPullRequests,
            rows: pullRequests.map(({ pr, waiting }) =>
              toPullRequestRow(
                {
                  pr,
                  waiting,
                  fork: !sameRepository(pr.headRepositoryUrl, project.repositoryUrl),
                  jobsetName: pr.jobsetId === null ? null : pullRequestJobsetName(pr.number),
                  latest: pr.jobsetId === null ? undefined : latest.get(pr.jobsetId),
                  counts: pr.jobsetId === null ? undefined : counts.get(latest.get(pr.jobsetId)?.id ?? -1),
                },
                project.name,
                d,
                now,
              ),
            ),
          },
          edit: {
            displayName: project.displayName ?? '',
            description: project.description ?? '',
            repositoryUrl: shownText(project.repositoryUrl, d),
            homepage: project.homepage ?? '',
            enabled: project.enabled,
            buildPullRequests: project.buildPullRequests,
            pullRequestTemplateJobset: project.pullRequestTemplateJobset ?? '',
            pullRequestTrustedUsers: project.pullRequestTrustedUsers.join(', '),
            pullRequestStatuses: project.pullRequestStatuses,
            statusModes: PULL_REQUEST_STATUS_MODES.map((m) => ({
              value: m,
              label: { jobs: 'one per job', summary: 'one summary per evaluation', both: 'both' }[m],
            })),
          },
          webhooks: [
            {
              forge: 'GitHub',
              key: 'github',
              url: `${base}/api/v1/webhooks/${project.id}/github`,
              hasSecret: project.hasGithubWebhookSecret,
            },
            {
              forge: 'Gitea',
              key: 'gitea',
              url: `${base}/api/v1/webhooks/${project.id}/gitea`,
              hasSecret: project.hasGiteaWebhookSecret,
            },
          ],
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/project/:ref/jobsets',
      access: Permission.CreateProjects,
      params: refParam,
      body: jobsetForm,
      back: (params) => paths.project(params.ref),
      handle: async ({ params, body }) => {
        const project = await s.projects.getByNameOrId(params.ref);
        const jobset = await s.projects.createJobset(
          project.id,
          {
            name: body.name,
            description: body.description,
            nixExpression: body.nix_expression,
            branch: body.branch,
            checkInterval: body.check_interval,
            flakeMode: body.flake_mode,
            state: body.enabled ? 'enabled' : 'disabled',
          },
          [],
        );
        return redirect(paths.jobset(project.name, jobset.name), {
          kind: 'success',
          text: `Jobset ${jobset.name} created.`,
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/project/:ref/edit',
      access: Permission.CreateProjects,
      params: refParam,
      body: projectEditForm,
      back: (params) => `${paths.project(params.ref)}#edit`,
      handle: async ({ params, body }) => {
        const project = await s.projects.getByNameOrId(params.ref);
        const updated = await s.projects.update(project.id, {
          displayName: body.display_name,
          description: body.description,
          repositoryUrl: body.repository_url,
          homepage: body.homepage,
          enabled: body.enabled,
          buildPullRequests: body.build_pull_requests,
          pullRequestTemplateJobset: body.pull_request_template_jobset,
          pullRequestTrustedUsers: body.pull_request_trusted_users,
          pullRequestStatuses: body.pull_request_statuses,
        });
        return redirect(paths.project(updated.name), {
          kind: 'success',
          text: `Project ${updated.name} saved.`,
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/project/:ref/pull-requests/:number/approve',
      access: Permission.CreateProjects,
      params: z.object({
        ref: z.string().min(1),
        number: z.coerce.number().int().positive().max(2147483647),
      }),
      back: (params) => `${paths.project(params.ref)}#pull-requests`,
      handle: async ({ params }) => {
        const project = await s.projects.getByNameOrId(params.ref);
        const outcome = await s.pullRequests.approve(project.id, params.number);
        return redirect(`${paths.project(project.name)}#pull-requests`, {
          kind: 'success',
          text: `Pull request #${params.number} approved: ${outcome.message}.`,
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/project/:ref/webhook-secret',
      access: Permission.Admin,
      params: refParam,
      body: z.object({ forge: z.enum(['github', 'gitea']), secret: optionalText }),
      back: (params) => paths.project(params.ref),
      handle: async ({ params, body }) => {
        const project = await s.projects.getByNameOrId(params.ref);
        const secret = body.secret ?? randomBytes(24).toString('base64url');
        await s.projects.update(
          project.id,
          body.forge === 'github' ? { githubWebhookSecret: secret } : { giteaWebhookSecret: secret },
        );
        const forge = body.forge === 'github' ? 'GitHub' : 'Gitea';
        return redirect(`${paths.project(project.name)}#webhooks`, {
          kind: 'success',
          text: body.secret
            ? `The ${forge} webhook secret is set.`
            : `New ${forge} webhook secret (shown this once; enter it in ${forge}): ${secret}`,
        });
      },
    }),
  ];
}
