// API keys and users (admin), login/logout, and the caller's own account (me).
import type { Request } from 'express';
import { z } from 'zod';
import { ForbiddenError, NAME_PATTERN, NAME_RULE } from '@fc/core';
import { MIN_PASSWORD_LENGTH, Permission } from '@fc/auth';
import { defineRoute, json, type ApiRoute } from '../http/api-route';
import { idParam, mapPage, pageQuery, pageView } from '../views/common.view';
import {
  apiKeyView,
  starredJobView,
  toApiKeyView,
  toStarredJobView,
  toUserView,
  userView,
} from '../views/account.view';
import type { Principal } from '../auth/principal';
import { endSession, startSession } from '../auth/session-login';
import { csrfTokenOf } from '../http/csrf';
import type { Services } from '../services/services';
import type { SessionContext } from '../services/user.service';

const role = z.string().regex(NAME_PATTERN, NAME_RULE);
const password = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
const username = z.string().regex(NAME_PATTERN, NAME_RULE);

const userCreate = z.strictObject({
  username,
  password: password.optional(),
  email: z.string().nullable().optional(),
  full_name: z.string().nullable().optional(),
  roles: z.array(role).optional(),
  role: role.optional().describe("One role, as the FC README's example gives it: the same as roles: [role]"),
});

const bothRoleForms = {
  check: (b: { role?: string | undefined; roles?: string[] | undefined }) =>
    b.role === undefined || b.roles === undefined,
  params: { message: 'give role or roles, not both', path: ['role'] },
};
const userCreateChecked = userCreate.refine(bothRoleForms.check, bothRoleForms.params);
const userUpdate = userCreate.partial().refine(bothRoleForms.check, bothRoleForms.params);
const meUpdate = z.strictObject({
  email: z.string().nullable().optional(),
  full_name: z.string().nullable().optional(),
});

function userFields(b: Partial<z.output<typeof userCreate>>) {
  return {
    username: b.username,
    password: b.password,
    email: b.email,
    fullName: b.full_name,
    roles: b.roles ?? (b.role === undefined ? undefined : [b.role]),
  };
}

/** The caller's own session, kept when a password change ends the user's other sessions. */
function sessionOf(req: Request, principal: Principal | undefined): SessionContext {
  return { keepSessionId: principal?.kind === 'session' ? req.sessionID : null };
}

/** The caller's user id; 403 for a key that belongs to no user. */
export function userIdOf(principal: Principal | undefined): number {
  if (!principal?.userId)
    throw new ForbiddenError('this needs a user: log in, or use an API key that belongs to a user');
  return principal.userId;
}

const meView = z
  .object({
    kind: z.enum(['api-key', 'config-key', 'session']),
    name: z.string(),
    roles: z.array(z.string()),
    api_key_id: z.number().int().nullable(),
    user: userView.nullable(),
    csrf_token: z
      .string()
      .nullable()
      .describe(
        'For a session (cookie) caller: the token its POST/PUT/PATCH/DELETE requests must send in X-CSRF-Token; null for keys',
      ),
  })
  .meta({ id: 'Me' });

export function accountRoutes(s: Services): ApiRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/login',
      access: 'public',
      tag: 'auth',
      summary: 'Log in: starts a session (cookie fc.sid, 24 h)',
      description:
        'Failed logins are counted per user name and per client address (server.login_max_failures_per_user, ' +
        'server.login_max_failures_per_address in server.login_failure_window seconds); past either limit the ' +
        'answer is 429 with Retry-After until the window ends, whatever the password.',
      body: z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
      responses: {
        200: { description: 'The user', schema: userView },
        401: { description: 'Unknown user or wrong password' },
        429: { description: 'Too many failed logins for this user name or address' },
      },
      handle: async ({ body, req, res }) => {
        const user = await s.users.authenticate(body.username, body.password, {
          address: req.ip ?? req.socket.remoteAddress ?? 'unknown',
        });
        res.setHeader('X-CSRF-Token', await startSession(req, { id: user.id }));
        return json(200, toUserView(user));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/logout',
      access: 'public',
      tag: 'auth',
      summary: 'Log out: ends the session',
      responses: { 204: { description: 'Logged out' } },
      handle: async ({ req, res }) => {
        await endSession(req, res);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/me',
      access: 'authenticated',
      tag: 'me',
      summary: 'Who the caller is: the key or session, its roles and user',
      responses: { 200: { description: 'The caller', schema: meView } },
      handle: async ({ principal, req }) => {
        const p = principal!;
        const user = p.userId ? await s.users.find(p.userId) : undefined;
        return json(200, {
          kind: p.kind,
          name: p.name,
          roles: [...p.roles],
          api_key_id: p.apiKeyId,
          user: user ? toUserView(user) : null,
          csrf_token: csrfTokenOf(req) ?? null,
        });
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/me',
      access: 'authenticated',
      tag: 'me',
      summary: "Change the caller's own email and full name",
      body: meUpdate,
      responses: { 200: { description: 'The user', schema: userView } },
      handle: async ({ principal, body, req }) =>
        json(
          200,
          toUserView(
            await s.users.update(
              userIdOf(principal),
              { email: body.email, fullName: body.full_name },
              sessionOf(req, principal),
            ),
          ),
        ),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/me/password',
      access: 'authenticated',
      tag: 'me',
      summary: "Change the caller's password (ends the user's other sessions)",
      body: z.strictObject({ current_password: z.string(), new_password: password }),
      responses: { 204: { description: 'Changed' } },
      handle: async ({ principal, body, req }) => {
        await s.users.changePassword(
          userIdOf(principal),
          body.current_password,
          body.new_password,
          sessionOf(req, principal),
        );
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/me/starred-jobs',
      access: 'authenticated',
      tag: 'me',
      summary: "The caller's starred jobs",
      responses: {
        200: { description: 'Starred jobs', schema: z.object({ items: z.array(starredJobView) }) },
      },
      handle: async ({ principal }) =>
        json(200, { items: (await s.users.starredJobs(userIdOf(principal))).map(toStarredJobView) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/me/starred-jobs',
      access: 'authenticated',
      tag: 'me',
      summary: 'Star a job',
      body: z.strictObject({ jobset_id: z.number().int().positive(), job: z.string().min(1) }),
      responses: {
        201: {
          description: 'Starred',
          schema: z.object({ id: z.number().int(), jobset_id: z.number().int(), job: z.string() }),
        },
        409: { description: 'Already starred' },
      },
      handle: async ({ principal, body }) => {
        const id = await s.users.star(userIdOf(principal), body.jobset_id, body.job);
        return json(201, { id, jobset_id: body.jobset_id, job: body.job });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/me/starred-jobs/{jobset_id}/{job}',
      access: 'authenticated',
      tag: 'me',
      summary: 'Unstar a job',
      params: z.object({ jobset_id: z.coerce.number().int().positive(), job: z.string().min(1) }),
      responses: { 204: { description: 'Unstarred' } },
      handle: async ({ principal, params }) => {
        await s.users.unstar(userIdOf(principal), params.jobset_id, params.job);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/api-keys',
      access: Permission.Admin,
      tag: 'api-keys',
      summary: 'List API keys (never the keys themselves)',
      query: pageQuery,
      responses: { 200: { description: 'A page of keys', schema: pageView(apiKeyView) } },
      handle: async ({ query }) => json(200, mapPage(await s.apiKeys.list(query), toApiKeyView)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/api-keys',
      access: Permission.Admin,
      tag: 'api-keys',
      summary: 'Create an API key: the answer holds the key, shown this once',
      body: z.strictObject({
        name: z.string().min(1).max(128),
        role,
        user_id: z.number().int().positive().nullable().optional(),
      }),
      responses: {
        201: {
          description: 'The key',
          schema: apiKeyView.extend({ key: z.string() }).meta({ id: 'NewApiKey' }),
        },
      },
      handle: async ({ body }) => {
        const { key, row } = await s.apiKeys.create(body.name, body.role, body.user_id ?? null);
        return json(201, { ...toApiKeyView(row), key });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/api-keys/{id}',
      access: Permission.Admin,
      tag: 'api-keys',
      summary: 'Revoke an API key',
      params: idParam,
      responses: { 204: { description: 'Revoked' } },
      handle: async ({ params }) => {
        await s.apiKeys.delete(params.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/users',
      access: Permission.Admin,
      tag: 'users',
      summary: 'List users',
      query: pageQuery,
      responses: { 200: { description: 'A page of users', schema: pageView(userView) } },
      handle: async ({ query }) => json(200, mapPage(await s.users.list(query), toUserView)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/users',
      access: Permission.Admin,
      tag: 'users',
      summary: 'Create a user',
      body: userCreateChecked,
      responses: {
        201: { description: 'The user', schema: userView },
        409: { description: 'The name is taken' },
      },
      handle: async ({ body }) =>
        json(201, toUserView(await s.users.create({ ...userFields(body), username: body.username }))),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/users/{id}',
      access: Permission.Admin,
      tag: 'users',
      summary: 'Get a user',
      params: idParam,
      responses: { 200: { description: 'The user', schema: userView } },
      handle: async ({ params }) => json(200, toUserView(await s.users.get(params.id))),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/users/{id}',
      access: Permission.Admin,
      tag: 'users',
      summary: "Change a user (roles, password, ...); a new password ends the user's sessions",
      params: idParam,
      body: userUpdate,
      responses: {
        200: { description: 'The user', schema: userView },
        409: { description: 'The name is taken' },
      },
      handle: async ({ params, body, principal, req }) =>
        json(200, toUserView(await s.users.update(params.id, userFields(body), sessionOf(req, principal)))),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/users/{id}',
      access: Permission.Admin,
      tag: 'users',
      summary: 'Delete a user (and their API keys and sessions)',
      params: idParam,
      responses: { 204: { description: 'Deleted' } },
      handle: async ({ params }) => {
        await s.users.delete(params.id);
        return { status: 204 };
      },
    }),
  ];
}
