import { z } from 'zod';
import {
  DECLARATIVE_INPUT_TYPES,
  JOBSET_INPUT_TYPES,
  JOBSET_STATES,
  PULL_REQUEST_STATUS_MODES,
} from '@fc/core';
import type { JobsetRow, ProjectRow } from '@fc/db';
import { iso, timestamp } from './common.view';
import { shownInputValue, shownText, type Disclosure } from './disclosure';

export const projectView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    display_name: z.string().nullable(),
    description: z.string().nullable(),
    repository_url: z
      .string()
      .describe(
        'Credentials in it (https://user:token@host/...) are shown only to those who may edit projects',
      ),
    homepage: z.string().nullable(),
    enabled: z.boolean(),
    hidden: z.boolean(),
    enable_dynamic_run_command: z.boolean(),
    build_pull_requests: z.boolean(),
    pull_request_template_jobset: z.string().nullable(),
    pull_request_trusted_users: z.array(z.string()),
    pull_request_statuses: z.enum(PULL_REQUEST_STATUS_MODES),
    owner_id: z.number().int().nullable(),
    has_github_webhook_secret: z.boolean(),
    has_gitea_webhook_secret: z.boolean(),
    declarative: z
      .object({
        file: z.string(),
        type: z.enum(DECLARATIVE_INPUT_TYPES),
        value: z.string().nullable(),
        branch: z.string().nullable(),
      })
      .nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Project' });

export function toProjectView(p: ProjectRow, d: Disclosure): z.output<typeof projectView> {
  return {
    id: p.id,
    name: p.name,
    display_name: p.displayName,
    description: p.description,
    repository_url: shownText(p.repositoryUrl, d),
    homepage: p.homepage,
    enabled: p.enabled,
    hidden: p.hidden,
    enable_dynamic_run_command: p.enableDynamicRunCommand,
    build_pull_requests: p.buildPullRequests,
    pull_request_template_jobset: p.pullRequestTemplateJobset,
    pull_request_trusted_users: p.pullRequestTrustedUsers,
    pull_request_statuses: p.pullRequestStatuses,
    owner_id: p.ownerId,
    has_github_webhook_secret: p.hasGithubWebhookSecret,
    has_gitea_webhook_secret: p.hasGiteaWebhookSecret,
    declarative:
      p.declarativeFile === null || p.declarativeType === null
        ? null
        : {
            file: p.declarativeFile,
            type: p.declarativeType,
            value: shownText(p.declarativeValue, d),
            branch: p.declarativeBranch,
          },
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export const jobsetInputView = z.object({
  name: z.string(),
  type: z.enum(JOBSET_INPUT_TYPES),
  value: z
    .string()
    .nullable()
    .describe(
      'null: a secret input, shown only to those who may edit projects (who also see credentials in URLs)',
    ),
  branch: z.string().nullable(),
  secret: z.boolean(),
});

export const jobsetView = z
  .object({
    id: z.number().int(),
    project_id: z.number().int(),
    project_name: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    flake_mode: z.boolean(),
    nix_expression: z.string(),
    nix_expression_input: z.string().nullable(),
    branch: z.string().nullable(),
    check_interval: z.number().int(),
    enabled: z.boolean(),
    state: z.enum(JOBSET_STATES),
    scheduling_shares: z.number().int(),
    keep_nr: z.number().int(),
    hidden: z.boolean(),
    enable_dynamic_run_command: z.boolean(),
    inputs: z.array(jobsetInputView),
    trigger_time: timestamp.nullable(),
    last_checked_at: timestamp.nullable(),
    error_message: z.string().nullable(),
    error_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Jobset' });

export function toJobsetView(j: JobsetRow, d: Disclosure): z.output<typeof jobsetView> {
  return {
    id: j.id,
    project_id: j.projectId,
    project_name: j.projectName,
    name: j.name,
    description: j.description,
    flake_mode: j.flakeMode,
    nix_expression: j.nixExpression,
    nix_expression_input: j.nixExpressionInput,
    branch: j.branch,
    check_interval: j.checkInterval,
    enabled: j.state !== 'disabled',
    state: j.state,
    scheduling_shares: j.schedulingShares,
    keep_nr: j.keepNr,
    hidden: j.hidden,
    enable_dynamic_run_command: j.enableDynamicRunCommand,
    inputs: j.inputs.map((i) => ({
      name: i.name,
      type: i.type,
      value: shownInputValue(i, d),
      branch: i.branch,
      secret: i.secret,
    })),
    trigger_time: iso(j.triggerTime),
    last_checked_at: iso(j.lastCheckedAt),
    error_message: shownText(j.errorMessage, d),
    error_at: iso(j.errorAt),
    created_at: iso(j.createdAt),
    updated_at: iso(j.updatedAt),
  };
}
