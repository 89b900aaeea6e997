// /admin/keys, /admin/builders, /admin/users (admins only): API keys (a new key is shown once, on the
// answer to its form; revoke), remote builders (add, edit, enable or disable, remove) and users
// (create, edit name, email and password, change roles, delete), through the API's services.
import { z } from 'zod';
import { KNOWN_ROLES, Permission, ROLE_PATTERN } from '@fc/auth';
import type { Services } from '../services/services';
import { definePage, redirect, view, type Page } from './page-route';
import { apiKeyView, builderView, userView } from './view-models/admin';

const LIST = { limit: 500, offset: 0 };
const idParam = z.object({ id: z.coerce.number().int().positive() });
/** A form's comma- or space-separated list. */
const list = z
  .string()
  .default('')
  .transform((s) => s.split(/[\s,]+/).filter((x) => x !== ''));
/** Checkboxes: absent, one value, or several. */
const checked = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
const roleList = checked.pipe(z.array(z.string().regex(ROLE_PATTERN, 'is not a role name')));

const builderForm = z.object({
  name: z.string().trim().min(1).max(128),
  uri: z.string().trim().min(1),
  systems: list.pipe(z.array(z.string()).min(1, 'name at least one system')),
  max_jobs: z.coerce.number().int().positive().default(1),
  speed_factor: z.coerce.number().positive().default(1),
  supported_features: list,
  mandatory_features: list,
  ssh_key_file: z.string().trim().optional(),
});

function builderFields(body: z.output<typeof builderForm>) {
  return {
    name: body.name,
    uri: body.uri,
    systems: body.systems,
    maxJobs: body.max_jobs,
    speedFactor: body.speed_factor,
    supportedFeatures: body.supported_features,
    mandatoryFeatures: body.mandatory_features,
    sshKeyFile: body.ssh_key_file || null,
  };
}

async function keysModel(s: Services) {
  const keys = await s.apiKeys.list(LIST);
  const now = new Date();
  return { keys: keys.items.map((k) => apiKeyView(k, now)), roles: KNOWN_ROLES, created: null };
}

export function adminAccountPages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/admin/keys',
      access: Permission.Admin,
      handle: async () => view('admin-keys', 'API keys · Admin', await keysModel(s)),
    }),
    definePage({
      method: 'post',
      path: '/admin/keys',
      access: Permission.Admin,
      body: z.object({ name: z.string().trim().min(1).max(128), role: z.string().regex(ROLE_PATTERN) }),
      back: () => '/admin/keys',
      handle: async ({ body }) => {
        const { key, row } = await s.apiKeys.create(body.name, body.role, null);
        // The key itself is shown on this answer only: it is stored as a hash.
        return view('admin-keys', 'API keys · Admin', {
          ...(await keysModel(s)),
          created: { name: row.name, role: row.role, key },
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/keys/:id/revoke',
      access: Permission.Admin,
      params: idParam,
      back: () => '/admin/keys',
      handle: async ({ params }) => {
        await s.apiKeys.delete(params.id);
        return redirect('/admin/keys', { kind: 'success', text: `API key ${params.id} revoked.` });
      },
    }),

    definePage({
      method: 'get',
      path: '/admin/builders',
      access: Permission.Admin,
      handle: async () => {
        const builders = await s.remoteBuilders.list(LIST);
        return view('admin-builders', 'Remote builders · Admin', {
          builders: builders.items.map(builderView),
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/builders',
      access: Permission.Admin,
      body: builderForm,
      back: () => '/admin/builders',
      handle: async ({ body }) => {
        const b = await s.remoteBuilders.create(builderFields(body));
        return redirect('/admin/builders', { kind: 'success', text: `Remote builder ${b.name} added.` });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/builders/:id',
      access: Permission.Admin,
      params: idParam,
      body: builderForm,
      back: () => '/admin/builders',
      handle: async ({ params, body }) => {
        const b = await s.remoteBuilders.update(params.id, builderFields(body));
        return redirect('/admin/builders', { kind: 'success', text: `Remote builder ${b.name} saved.` });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/builders/:id/enabled',
      access: Permission.Admin,
      params: idParam,
      body: z.object({ enabled: z.enum(['true', 'false']) }),
      back: () => '/admin/builders',
      handle: async ({ params, body }) => {
        const b = await s.remoteBuilders.update(params.id, { enabled: body.enabled === 'true' });
        return redirect('/admin/builders', {
          kind: 'success',
          text: `Remote builder ${b.name} ${b.enabled ? 'enabled' : 'disabled'}.`,
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/builders/:id/delete',
      access: Permission.Admin,
      params: idParam,
      back: () => '/admin/builders',
      handle: async ({ params }) => {
        await s.remoteBuilders.delete(params.id);
        return redirect('/admin/builders', { kind: 'success', text: `Remote builder ${params.id} removed.` });
      },
    }),

    definePage({
      method: 'get',
      path: '/admin/users',
      access: Permission.Admin,
      handle: async () => {
        const users = await s.users.list(LIST);
        return view('admin-users', 'Users · Admin', { users: users.items.map(userView), roles: KNOWN_ROLES });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/users',
      access: Permission.Admin,
      body: z.object({
        username: z.string().trim().min(1).max(64),
        full_name: z.string().trim().optional(),
        email: z.string().trim().optional(),
        password: z.string().optional(),
        roles: roleList,
      }),
      back: () => '/admin/users',
      handle: async ({ body }) => {
        const u = await s.users.create({
          username: body.username,
          fullName: body.full_name || null,
          email: body.email || null,
          password: body.password || undefined,
          roles: body.roles,
        });
        return redirect('/admin/users', { kind: 'success', text: `User ${u.username} created.` });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/users/:id',
      access: Permission.Admin,
      params: idParam,
      body: z.object({
        full_name: z.string().trim().optional(),
        email: z.string().trim().optional(),
        password: z.string().optional(),
      }),
      back: () => '/admin/users',
      handle: async ({ params, body, req }) => {
        const u = await s.users.update(
          params.id,
          {
            fullName: body.full_name || null,
            email: body.email || null,
            // An empty password field keeps the password; a new one ends the user's other sessions.
            ...(body.password ? { password: body.password } : {}),
          },
          { keepSessionId: req.sessionID ?? null },
        );
        return redirect('/admin/users', {
          kind: 'success',
          text: `${u.username} saved${body.password ? ' with a new password' : ''}.`,
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/users/:id/roles',
      access: Permission.Admin,
      params: idParam,
      body: z.object({ roles: roleList }),
      back: () => '/admin/users',
      handle: async ({ params, body, req }) => {
        const u = await s.users.update(
          params.id,
          { roles: body.roles },
          { keepSessionId: req.sessionID ?? null },
        );
        return redirect('/admin/users', {
          kind: 'success',
          text: `${u.username} now has ${u.roles.length ? u.roles.join(', ') : 'no role'}.`,
        });
      },
    }),
    definePage({
      method: 'post',
      path: '/admin/users/:id/delete',
      access: Permission.Admin,
      params: idParam,
      back: () => '/admin/users',
      handle: async ({ params }) => {
        await s.users.delete(params.id);
        return redirect('/admin/users', { kind: 'success', text: `User ${params.id} deleted.` });
      },
    }),
  ];
}
