// Projects and jobsets.
import { z } from 'zod';
import {
  DECLARATIVE_INPUT_TYPES,
  INPUT_NAME_PATTERN,
  INPUT_NAME_RULE,
  JOBSET_INPUT_TYPES,
  JOBSET_STATES,
  NAME_PATTERN,
  NAME_RULE,
  PULL_REQUEST_STATUS_MODES,
  GIT_TRANSPORTS,
  branchProblem,
  jobsetNameProblem,
  nixExpressionPathProblem,
  parseGitInputValue,
  parsePullsInputValue,
  pathInputValueProblem,
  REPOSITORY_INPUT_TYPES,
  repositoryUrlProblem,
  vcsInputValueProblem,
} from '@fc/core';
import { Permission } from '@fc/auth';
import { defineRoute, json, type ApiRoute } from '../http/api-route';
import { idParam, mapPage, pageQuery, pageView } from '../views/common.view';
import { jobsetView, projectView, toJobsetView, toProjectView } from '../views/project.view';
import type { Services } from '../services/services';
import { disclosureFor } from '../views/disclosure';

const name = z.string().regex(NAME_PATTERN, NAME_RULE);

/** A zod check from one of libs/core's source rules, which the evaluator applies too. */
function rule(problem: (value: string) => string | undefined) {
  return (value: string, ctx: z.RefinementCtx) => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  };
}

const jobsetName = name.superRefine(rule(jobsetNameProblem));
const repositoryUrl = z
  .string()
  .superRefine(rule(repositoryUrlProblem))
  .describe(`A git repository: an ${GIT_TRANSPORTS.join(', ')} URL, user@host:path, or an absolute path`);
const branch = z.string().superRefine(rule(branchProblem));
const nixExpression = z.string().min(1);

/**
 * A legacy jobset's nix_expression is a relative path inside the repository (libs/core's rule, which
 * the evaluator applies too); a flake jobset's is checked by the service, with the flake's own message.
 */
function checkExpressionPath(
  b: { nix_expression?: string | undefined; flake_mode?: boolean | undefined },
  ctx: z.RefinementCtx,
) {
  if (b.nix_expression === undefined || b.flake_mode === true) return;
  const message = nixExpressionPathProblem(b.nix_expression);
  if (message !== undefined) ctx.addIssue({ code: 'custom', message, path: ['nix_expression'] });
}

const noDash = z.string().min(1).regex(/^[^-]/, 'must not start with "-"');
const inputName = z.string().regex(INPUT_NAME_PATTERN, INPUT_NAME_RULE);

/** Hydra's declfile / decltype / declvalue: where a declarative project's spec lives. */
const declarativeSpec = z
  .strictObject({
    file: z
      .string()
      .min(1)
      .refine(
        (f) => !/^[/-]/.test(f) && !f.split('/').includes('..'),
        'must be a relative path inside the input',
      )
      .describe('The JSON spec file, relative to the input'),
    type: z.enum(DECLARATIVE_INPUT_TYPES).default('git').describe('The input holding the file'),
    value: noDash
      .nullable()
      .optional()
      .describe(
        "git: the repository URL (default: the project's repository_url); path: an absolute directory",
      ),
    branch: branch.nullable().optional().describe('git: the branch (default: the remote default branch)'),
  })
  .refine((d) => d.type !== 'path' || (d.value ?? '').startsWith('/'), {
    message: 'a path input needs value: an absolute directory',
    path: ['value'],
  })
  .superRefine((d, ctx) => {
    const problem = d.type === 'git' && d.value ? repositoryUrlProblem(d.value) : undefined;
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] });
  });

const projectCreate = z.strictObject({
  name,
  repository_url: repositoryUrl,
  description: z.string().nullable().optional(),
  display_name: z.string().nullable().optional(),
  homepage: z.string().nullable().optional(),
  enabled: z.boolean().optional(),
  hidden: z.boolean().optional(),
  github_webhook_secret: z.string().min(1).nullable().optional(),
  gitea_webhook_secret: z.string().min(1).nullable().optional(),
  enable_dynamic_run_command: z
    .boolean()
    .optional()
    .describe(
      "Hydra's dynamic RunCommand (refused while the server's notifications.dynamic_run_command is off)",
    ),
  build_pull_requests: z
    .boolean()
    .optional()
    .describe(
      'One jobset pr-<number> per open pull request (GitHub and Gitea webhooks), copied from the template',
    ),
  pull_request_template_jobset: jobsetName
    .nullable()
    .optional()
    .describe(
      'The jobset pull requests are copied from; null = the oldest jobset that is not a pull request',
    ),
  pull_request_trusted_users: z
    .array(z.string().min(1).max(100))
    .max(1000)
    .optional()
    .describe('Forge logins whose pull requests from forks are evaluated without approval'),
  pull_request_statuses: z
    .enum(PULL_REQUEST_STATUS_MODES)
    .optional()
    .describe(
      "Commit statuses at a pull request's head: one per job, one summary per evaluation, or both (default)",
    ),
  declarative: declarativeSpec
    .nullable()
    .optional()
    .describe("A declarative project's spec (its jobsets then come only from it); null = not declarative"),
});
const projectUpdate = projectCreate.partial();

function projectFields(b: z.output<typeof projectUpdate>) {
  return {
    name: b.name,
    repositoryUrl: b.repository_url,
    description: b.description,
    displayName: b.display_name,
    homepage: b.homepage,
    enabled: b.enabled,
    hidden: b.hidden,
    githubWebhookSecret: b.github_webhook_secret,
    giteaWebhookSecret: b.gitea_webhook_secret,
    enableDynamicRunCommand: b.enable_dynamic_run_command,
    buildPullRequests: b.build_pull_requests,
    pullRequestTemplateJobset: b.pull_request_template_jobset,
    pullRequestTrustedUsers: b.pull_request_trusted_users,
    pullRequestStatuses: b.pull_request_statuses,
    ...declarativeFields(b.declarative),
  };
}

function declarativeFields(d: z.output<typeof declarativeSpec> | null | undefined) {
  if (d === undefined) return {};
  return {
    declarativeFile: d?.file ?? null,
    declarativeType: d?.type ?? null,
    declarativeValue: d?.value ?? null,
    declarativeBranch: d?.branch ?? null,
  };
}

const jobsetInput = z
  .strictObject({
    name: inputName,
    type: z.enum(JOBSET_INPUT_TYPES),
    value: z.string(),
    branch: branch.nullable().optional(),
    secret: z
      .boolean()
      .default(false)
      .describe(
        'A secret value (a token): shown only to those who may edit projects, never kept by evaluations',
      ),
  })
  .superRefine((i, ctx) => {
    // The evaluator's own rules (libs/core), so nothing accepted here is refused when fetched.
    const problem =
      i.type === 'path'
        ? pathInputValueProblem(i.value)
        : (REPOSITORY_INPUT_TYPES as readonly string[]).includes(i.type) && i.type !== 'git'
          ? vcsInputValueProblem(i.value)
          : undefined;
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, path: ['value'] });
    if (i.type !== 'git' && i.type !== 'githubpulls' && i.type !== 'giteapulls') return;
    try {
      if (i.type === 'git') parseGitInputValue(i.value, i.branch ?? null);
      else parsePullsInputValue(i.type, i.value);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e), path: ['value'] });
    }
  });

const jobsetCreate = z.strictObject({
  name: jobsetName,
  nix_expression: nixExpression,
  nix_expression_input: inputName
    .nullable()
    .optional()
    .describe(
      "The repository or path input holding nix_expression (Hydra's nixexprinput); null = the repository",
    ),
  flake_mode: z.boolean().default(false),
  branch: branch.nullable().optional(),
  check_interval: z.number().int().min(0).default(60).describe('seconds; 0 = never poll'),
  enabled: z.boolean().default(true),
  state: z.enum(JOBSET_STATES).optional(),
  scheduling_shares: z.number().int().positive().default(100),
  keep_nr: z.number().int().min(0).default(3),
  description: z.string().nullable().optional(),
  hidden: z.boolean().optional(),
  enable_dynamic_run_command: z
    .boolean()
    .optional()
    .describe(
      "Hydra's dynamic RunCommand (refused while the server's notifications.dynamic_run_command is off, or the project's)",
    ),
  inputs: z.array(jobsetInput).default([]),
});

const jobsetUpdate = z.strictObject({
  name: jobsetName.optional(),
  nix_expression: nixExpression.optional(),
  nix_expression_input: inputName.nullable().optional(),
  flake_mode: z.boolean().optional(),
  branch: branch.nullable().optional(),
  check_interval: z.number().int().min(0).optional(),
  enabled: z.boolean().optional(),
  state: z.enum(JOBSET_STATES).optional(),
  scheduling_shares: z.number().int().positive().optional(),
  keep_nr: z.number().int().min(0).optional(),
  description: z.string().nullable().optional(),
  hidden: z.boolean().optional(),
  enable_dynamic_run_command: z
    .boolean()
    .optional()
    .describe(
      "Hydra's dynamic RunCommand (refused while the server's notifications.dynamic_run_command is off, or the project's)",
    ),
  inputs: z.array(jobsetInput).optional(),
});

/** `enabled` is shorthand for the state: false = disabled; an explicit `state` wins. */
function stateOf(
  state: 'enabled' | 'disabled' | 'one-shot' | 'one-at-a-time' | undefined,
  enabled: boolean | undefined,
) {
  if (state) return state;
  if (enabled === undefined) return undefined;
  return enabled ? 'enabled' : 'disabled';
}

function jobsetFields(b: z.output<typeof jobsetUpdate>) {
  return {
    name: b.name,
    nixExpression: b.nix_expression,
    nixExpressionInput: b.nix_expression_input,
    flakeMode: b.flake_mode,
    branch: b.branch,
    checkInterval: b.check_interval,
    state: stateOf(b.state, b.enabled),
    schedulingShares: b.scheduling_shares,
    keepNr: b.keep_nr,
    description: b.description,
    hidden: b.hidden,
    enableDynamicRunCommand: b.enable_dynamic_run_command,
  };
}

function inputFields(inputs: z.output<typeof jobsetInput>[]) {
  return inputs.map((i) => ({
    name: i.name,
    type: i.type,
    value: i.value,
    branch: i.branch ?? null,
    secret: i.secret,
  }));
}

export function projectRoutes(s: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/projects',
      access: 'public',
      tag: 'projects',
      summary: 'List projects',
      query: pageQuery,
      responses: { 200: { description: 'A page of projects', schema: pageView(projectView) } },
      handle: async ({ query, principal }) => {
        const d = disclosureFor(principal);
        return json(
          200,
          mapPage(await s.projects.list(query), (p) => toProjectView(p, d)),
        );
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/projects',
      access: Permission.CreateProjects,
      tag: 'projects',
      summary: 'Create a project',
      body: projectCreate,
      responses: {
        201: {
          description: 'The project (a declarative one gets its hidden .jobsets jobset)',
          schema: projectView,
        },
        409: { description: 'A project of this name exists' },
      },
      handle: async ({ body, principal }) => {
        const row = await s.projects.create({
          ...projectFields(body),
          name: body.name,
          repositoryUrl: body.repository_url,
          ownerId: principal?.userId ?? null,
        });
        return json(201, toProjectView(row, disclosureFor(principal)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/projects/{id}',
      access: 'public',
      tag: 'projects',
      summary: 'Get a project',
      params: idParam,
      responses: { 200: { description: 'The project', schema: projectView } },
      handle: async ({ params, principal }) =>
        json(200, toProjectView(await s.projects.get(params.id), disclosureFor(principal))),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/projects/{id}',
      access: Permission.CreateProjects,
      tag: 'projects',
      summary: 'Change a project',
      params: idParam,
      body: projectUpdate,
      responses: {
        200: { description: 'The project', schema: projectView },
        409: { description: 'A project of this name exists' },
      },
      handle: async ({ params, body, principal }) =>
        json(
          200,
          toProjectView(await s.projects.update(params.id, projectFields(body)), disclosureFor(principal)),
        ),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/projects/{id}',
      access: Permission.CreateProjects,
      tag: 'projects',
      summary: 'Delete a project with its jobsets, evaluations and builds',
      params: idParam,
      responses: { 204: { description: 'Deleted' } },
      handle: async ({ params }) => {
        await s.projects.delete(params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/projects/{id}/jobsets',
      access: 'public',
      tag: 'jobsets',
      summary: "List a project's jobsets",
      params: idParam,
      query: pageQuery,
      responses: { 200: { description: 'A page of jobsets', schema: pageView(jobsetView) } },
      handle: async ({ params, query, principal }) => {
        const d = disclosureFor(principal);
        return json(
          200,
          mapPage(await s.projects.listJobsets(params.id, query), (j) => toJobsetView(j, d)),
        );
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/projects/{id}/jobsets',
      access: Permission.CreateProjects,
      tag: 'jobsets',
      summary: 'Create a jobset',
      description:
        'Legacy mode: nix_expression is a Nix file inside the repository. Flake mode: the repository is a flake and ' +
        'nix_expression the output attribute to build (hydraJobs, falling back to checks).',
      params: idParam,
      body: jobsetCreate.superRefine(checkExpressionPath),
      responses: {
        201: { description: 'The jobset', schema: jobsetView },
        409: { description: 'The project has a jobset of this name, or is declarative' },
      },
      handle: async ({ params, body, principal }) => {
        const row = await s.projects.createJobset(
          params.id,
          { ...jobsetFields(body), name: body.name, nixExpression: body.nix_expression },
          inputFields(body.inputs),
        );
        return json(201, toJobsetView(row, disclosureFor(principal)));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/jobsets/{id}',
      access: 'public',
      tag: 'jobsets',
      summary: 'Get a jobset with its inputs',
      params: idParam,
      responses: { 200: { description: 'The jobset', schema: jobsetView } },
      handle: async ({ params, principal }) =>
        json(200, toJobsetView(await s.projects.getJobset(params.id), disclosureFor(principal))),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/jobsets/{id}',
      access: Permission.CreateProjects,
      tag: 'jobsets',
      summary: 'Change a jobset (inputs, when given, replace the old ones)',
      params: idParam,
      body: jobsetUpdate.superRefine(checkExpressionPath),
      responses: {
        200: { description: 'The jobset', schema: jobsetView },
        409: { description: 'The project has a jobset of this name, or is declarative' },
      },
      handle: async ({ params, body, principal }) =>
        json(
          200,
          toJobsetView(
            await s.projects.updateJobset(
              params.id,
              jobsetFields(body),
              body.inputs ? inputFields(body.inputs) : undefined,
            ),
            disclosureFor(principal),
          ),
        ),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/jobsets/{id}',
      access: Permission.CreateProjects,
      tag: 'jobsets',
      summary: 'Delete a jobset with its evaluations and builds',
      params: idParam,
      responses: {
        204: { description: 'Deleted' },
        409: { description: "The jobset's project is declarative" },
      },
      handle: async ({ params }) => {
        await s.projects.deleteJobset(params.id);
        return { status: 204 };
      },
    }),
  ];
}
