import { z } from 'zod';
import type {
  ApiKeyRow,
  ChannelOutputRow,
  ChannelRow,
  RemoteBuilderRow,
  StarredJobRow,
  UserRow,
} from '@fc/db';
import { iso, timestamp } from './common.view';

export const userView = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string().nullable(),
    full_name: z.string().nullable(),
    roles: z.array(z.string()),
    has_password: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'User' });

export function toUserView(u: UserRow): z.output<typeof userView> {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    full_name: u.fullName,
    roles: u.roles,
    has_password: u.hasPassword,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
  };
}

export const apiKeyView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    key_prefix: z.string().describe('the first characters of the key, to tell keys apart'),
    role: z.string(),
    user_id: z.number().int().nullable(),
    created_at: timestamp,
    last_used_at: timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

export function toApiKeyView(k: ApiKeyRow): z.output<typeof apiKeyView> {
  return {
    id: k.id,
    name: k.name,
    key_prefix: k.keyPrefix,
    role: k.role,
    user_id: k.userId,
    created_at: iso(k.createdAt),
    last_used_at: iso(k.lastUsedAt),
  };
}

export const channelView = z
  .object({
    id: z.number().int(),
    jobset_id: z.number().int(),
    project_id: z.number().int(),
    name: z.string(),
    evaluation_id: z.number().int().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Channel' });

export const channelDetailView = channelView
  .extend({
    outputs: z
      .array(z.object({ build_id: z.number().int(), job: z.string(), name: z.string(), path: z.string() }))
      .describe("the outputs of the evaluation's successful builds"),
  })
  .meta({ id: 'ChannelDetail' });

export function toChannelView(c: ChannelRow): z.output<typeof channelView> {
  return {
    id: c.id,
    jobset_id: c.jobsetId,
    project_id: c.projectId,
    name: c.name,
    evaluation_id: c.evaluationId,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export function toChannelDetailView(d: {
  channel: ChannelRow;
  outputs: ChannelOutputRow[];
}): z.output<typeof channelDetailView> {
  return {
    ...toChannelView(d.channel),
    outputs: d.outputs.map((o) => ({ build_id: o.buildId, job: o.job, name: o.name, path: o.path })),
  };
}

export const starredJobView = z
  .object({
    id: z.number().int().describe('the star: DELETE /api/v1/me/starred-jobs/{id} removes it'),
    jobset_id: z.number().int(),
    jobset_name: z.string(),
    project_id: z.number().int(),
    project_name: z.string(),
    job: z.string(),
    created_at: timestamp,
  })
  .meta({ id: 'StarredJob' });

export function toStarredJobView(s: StarredJobRow): z.output<typeof starredJobView> {
  return {
    id: s.id,
    jobset_id: s.jobsetId,
    jobset_name: s.jobsetName,
    project_id: s.projectId,
    project_name: s.projectName,
    job: s.job,
    created_at: iso(s.createdAt),
  };
}

export const remoteBuilderView = z
  .object({
    id: z.number().int(),
    name: z.string(),
    uri: z.string(),
    systems: z.array(z.string()),
    max_jobs: z.number().int(),
    speed_factor: z.number(),
    supported_features: z.array(z.string()),
    mandatory_features: z.array(z.string()),
    ssh_key_file: z.string().nullable(),
    public_host_key: z.string().nullable(),
    enabled: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'RemoteBuilder' });

export function toRemoteBuilderView(b: RemoteBuilderRow): z.output<typeof remoteBuilderView> {
  return {
    id: b.id,
    name: b.name,
    uri: b.uri,
    systems: b.systems,
    max_jobs: b.maxJobs,
    speed_factor: b.speedFactor,
    supported_features: b.supportedFeatures,
    mandatory_features: b.mandatoryFeatures,
    ssh_key_file: b.sshKeyFile,
    public_host_key: b.publicHostKey,
    enabled: b.enabled,
    created_at: iso(b.createdAt),
    updated_at: iso(b.updatedAt),
  };
}
