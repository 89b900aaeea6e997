// /projects (list, create form), /project/{name or id} (jobsets with their latest evaluation, the
// add-jobset form, webhook set-up; admins set or rotate the secrets).
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { NAME_PATTERN, NAME_RULE } from '@fc/core';
import type { ProjectRow } from '@fc/db';
import type { Services } from '../services/services';
import { checkbox, integerField, optionalText } from './form-fields';
import { definePage, redirect, view, type Page } from './page-route';
import { paths } from './view-models/display';
import { toEvaluationRow } from './view-models/evaluation-row';
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
        const latest = await s.evaluations.latestOfJobsets(jobsets.items.map((j) => j.id));
        const counts = await s.evaluations.buildCounts([...latest.values()].map((e) => e.id));
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
