// admin/builders (reads are public, writes admin), admin/system and admin/clear-failed-cache (admin).
import { z } from 'zod';
import { Permission } from '@fc/auth';
import { defineRoute, json, type ApiRoute } from '../http/api-route';
import { idParam, iso, mapPage, pageQuery, pageView, timestamp } from '../views/common.view';
import { remoteBuilderView, toRemoteBuilderView } from '../views/account.view';
import type { Services } from '../services/services';

const builderBody = z.strictObject({
  name: z.string().min(1).max(128),
  uri: z.string().min(1).optional().describe('ssh://[user@]host or ssh-ng://...'),
  ssh_uri: z
    .string()
    .min(1)
    .optional()
    .describe("The FC README's name for uri: [user@]host (ssh:// is added) or a whole URI"),
  systems: z.array(z.string().min(1)).min(1),
  max_jobs: z.number().int().positive().optional(),
  speed_factor: z.number().positive().optional(),
  supported_features: z.array(z.string().min(1)).optional(),
  mandatory_features: z.array(z.string().min(1)).optional(),
  ssh_key_file: z.string().min(1).nullable().optional(),
  public_host_key: z.string().min(1).nullable().optional(),
  enabled: z.boolean().optional(),
});

const builderCreate = builderBody.refine((b) => (b.uri === undefined) !== (b.ssh_uri === undefined), {
  message: 'give the builder uri (or ssh_uri), one of them',
  path: ['uri'],
});
const builderUpdate = builderBody.partial().refine((b) => b.uri === undefined || b.ssh_uri === undefined, {
  message: 'give uri or ssh_uri, not both',
  path: ['uri'],
});

/** The README's ssh_uri is a host with an optional user; a whole URI is taken as it is. */
function uriOf(b: { uri?: string | undefined; ssh_uri?: string | undefined }): string | undefined {
  if (b.ssh_uri === undefined) return b.uri;
  return b.ssh_uri.includes('://') ? b.ssh_uri : `ssh://${b.ssh_uri}`;
}

function builderFields(b: Partial<z.output<typeof builderBody>>) {
  return {
    name: b.name,
    uri: uriOf(b),
    systems: b.systems,
    maxJobs: b.max_jobs,
    speedFactor: b.speed_factor,
    supportedFeatures: b.supported_features,
    mandatoryFeatures: b.mandatory_features,
    sshKeyFile: b.ssh_key_file,
    publicHostKey: b.public_host_key,
    enabled: b.enabled,
  };
}

const systemView = z
  .object({
    version: z.string(),
    node_version: z.string(),
    uptime_seconds: z.number().int(),
    database: z.object({ version: z.string(), size_bytes: z.number() }),
    schema_version: z.number().int().describe('The newest applied migration'),
    nix_version: z.string().nullable().describe("`nix --version` on fc-server's machine"),
    daemons: z
      .array(
        z.object({
          name: z.string(),
          host: z.string(),
          pid: z.number().int(),
          started_at: timestamp,
          heartbeat_at: timestamp,
          alive: z.boolean().describe('Its pg-boss heartbeat is at most two intervals old'),
          stopped_at: timestamp.nullable().describe('When it stopped gracefully; null while it runs'),
          queues: z.array(z.string()),
        }),
      )
      .describe('Every daemon registered with pg-boss, with its last heartbeat'),
    counts: z.record(z.string(), z.number().int()),
    queues: z.array(z.object({ name: z.string(), queued: z.number().int(), active: z.number().int() })),
  })
  .meta({ id: 'SystemStatus' });

const clearedView = z
  .object({ cleared: z.number().int().describe('How many output paths the cache held') })
  .meta({ id: 'FailedCacheCleared' });

export function adminRoutes(s: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/clear-failed-cache',
      access: Permission.Admin,
      tag: 'admin',
      summary: "Clear the failed builds cache (Hydra's admin action of the same name)",
      description:
        'Empties the failed-paths cache: a derivation whose build failed is not built again by a later ' +
        'build that needs it (that build gets a cached-failure step, status 8) until this, or a restart ' +
        'of a build that needs it. The dashboard has the same action at POST /admin/clear-failed-cache.',
      responses: { 200: { description: 'The cache is empty', schema: clearedView } },
      handle: async () => json(200, { cleared: await s.builds.clearFailedPaths() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/builders',
      access: 'public',
      tag: 'admin',
      summary: 'List remote builders',
      query: pageQuery,
      responses: { 200: { description: 'A page of builders', schema: pageView(remoteBuilderView) } },
      handle: async ({ query }) =>
        json(200, mapPage(await s.remoteBuilders.list(query), toRemoteBuilderView)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/admin/builders',
      access: Permission.Admin,
      tag: 'admin',
      summary: 'Add a remote builder',
      body: builderCreate,
      responses: {
        201: { description: 'The builder', schema: remoteBuilderView },
        409: { description: 'The name or URI is taken' },
      },
      handle: async ({ body }) =>
        json(
          201,
          toRemoteBuilderView(
            await s.remoteBuilders.create({
              ...builderFields(body),
              name: body.name,
              uri: uriOf(body)!,
              systems: body.systems,
            }),
          ),
        ),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/builders/{id}',
      access: 'public',
      tag: 'admin',
      summary: 'Get a remote builder',
      params: idParam,
      responses: { 200: { description: 'The builder', schema: remoteBuilderView } },
      handle: async ({ params }) => json(200, toRemoteBuilderView(await s.remoteBuilders.get(params.id))),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/admin/builders/{id}',
      access: Permission.Admin,
      tag: 'admin',
      summary: 'Change a remote builder',
      params: idParam,
      body: builderUpdate,
      responses: {
        200: { description: 'The builder', schema: remoteBuilderView },
        409: { description: 'The name or URI is taken' },
      },
      handle: async ({ params, body }) =>
        json(200, toRemoteBuilderView(await s.remoteBuilders.update(params.id, builderFields(body)))),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/admin/builders/{id}',
      access: Permission.Admin,
      tag: 'admin',
      summary: 'Remove a remote builder',
      params: idParam,
      responses: { 204: { description: 'Removed' } },
      handle: async ({ params }) => {
        await s.remoteBuilders.delete(params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/admin/system',
      access: Permission.Admin,
      tag: 'admin',
      summary:
        'Versions (FC, Nix, schema), uptime, database size, daemons with their heartbeats, row counts, queue depths',
      responses: { 200: { description: 'System status', schema: systemView } },
      handle: async () => {
        const st = await s.system.status();
        return json(200, {
          version: st.version,
          node_version: st.nodeVersion,
          uptime_seconds: st.uptimeSeconds,
          database: { version: st.database.version, size_bytes: st.database.sizeBytes },
          schema_version: st.schemaVersion,
          nix_version: st.nixVersion,
          daemons: st.daemons.map((d) => ({
            name: d.name,
            host: d.host,
            pid: d.pid,
            started_at: iso(d.startedAt),
            heartbeat_at: iso(d.heartbeatAt),
            alive: d.alive,
            stopped_at: iso(d.stoppedAt),
            queues: d.queues,
          })),
          counts: {
            projects: st.counts.projects,
            jobsets: st.counts.jobsets,
            evaluations: st.counts.evaluations,
            users: st.counts.users,
            api_keys: st.counts.apiKeys,
            remote_builders: st.counts.remoteBuilders,
          },
          queues: st.queues,
        });
      },
    }),
  ];
}
