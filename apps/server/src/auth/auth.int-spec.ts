/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any */
// Roles, API keys, sessions and `me`, driven through HTTP.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, runApp } from '@fc/testing';
import { KNOWN_ROLES, rolesGrant } from '@fc/auth';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture } from '../testing/build-fixtures';

let h: ApiHarness;
const keys: Record<string, string> = {};
const CONFIG_KEY = 'legacy-config-admin-key';

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase(), { env: { FC_SERVER__API_KEY: CONFIG_KEY } });
  for (const role of [...KNOWN_ROLES, 'release-manager']) keys[role] = await h.key(role);
});
afterAll(async () => {
  await h.close();
});

async function body(r: Response): Promise<any> {
  return r.json();
}

/** A request path for a route with every parameter pointing at nothing. */
function concrete(path: string): string {
  return path.replace(/\{job\}/g, 'nojob').replace(/\{[a-z_]+\}/g, '999999');
}

describe('permissions, for every route of the table', () => {
  it('answers 401 without credentials, 403 to roles lacking the permission, and lets the others through', async () => {
    let checked = 0;
    for (const route of h.server.routes) {
      if (route.access === 'public') continue;
      const path = concrete(route.path);
      const method = route.method.toUpperCase();
      const send = route.method === 'get' || route.method === 'delete' ? {} : { body: {} };
      const anonymous = await h.call(method, path, send);
      expect([route.path, anonymous.status]).toEqual([route.path, 401]);
      expect((await body(anonymous)).error.code).toBe('unauthorized');
      if (route.access === 'authenticated') continue;
      for (const [role, key] of Object.entries(keys)) {
        const r = await h.call(method, path, { ...send, key });
        const allowed = rolesGrant([role], route.access);
        // Allowed requests reach validation or the (missing) resource; denied ones stop at 403.
        if (allowed)
          expect([route.path, role, r.status]).toEqual([
            route.path,
            role,
            expect.not.stringMatching(/^40[13]$/),
          ]);
        else expect([route.path, role, r.status]).toEqual([route.path, role, 403]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    // Every protected route times eight roles: ~500 requests, seconds on a loaded machine.
  }, 60_000);

  it('lets read-only and custom roles read but not write', async () => {
    for (const role of ['read-only', 'release-manager']) {
      expect((await h.call('GET', '/api/v1/projects', { key: keys[role] })).status).toBe(200);
      const w = await h.call('POST', '/api/v1/projects', {
        key: keys[role],
        body: { name: `by-${role}`, repository_url: 'file:///r' },
      });
      expect(w.status).toBe(403);
      expect((await body(w)).error).toEqual({
        code: 'forbidden',
        message: `${role} lacks the "create-projects" permission`,
      });
      expect((await h.call('GET', '/api/v1/api-keys', { key: keys[role] })).status).toBe(403);
    }
  });

  it('gives each Hydra role its action and nothing else', async () => {
    const f = await insertFixture(h.db.pool, {
      builds: [
        { job: 'a', status: 'queued' },
        { job: 'b', status: 1 },
      ],
    });
    const [queued, failed] = f.buildIds as [number, number];
    const post = (role: string, path: string, b?: unknown) =>
      h.call('POST', path, { key: keys[role], ...(b ? { body: b } : {}) });
    expect((await post('eval-jobset', '/api/v1/evaluations/trigger', { jobset_id: f.jobsetId })).status).toBe(
      202,
    );
    expect(
      (await post('cancel-build', '/api/v1/evaluations/trigger', { jobset_id: f.jobsetId })).status,
    ).toBe(403);
    expect((await post('bump-to-front', `/api/v1/builds/${queued}/bump`)).status).toBe(200);
    expect((await post('restart-jobs', `/api/v1/builds/${queued}/cancel`)).status).toBe(403);
    expect((await post('cancel-build', `/api/v1/builds/${queued}/cancel`)).status).toBe(200);
    expect((await post('cancel-build', `/api/v1/builds/${failed}/restart`)).status).toBe(403);
    expect((await post('restart-jobs', `/api/v1/builds/${failed}/restart`)).status).toBe(200);
    expect(
      (await post('create-projects', '/api/v1/projects', { name: 'cp-proj', repository_url: 'file:///r' }))
        .status,
    ).toBe(201);
    expect((await post('create-projects', '/api/v1/users', { username: 'nobody' })).status).toBe(403);
    expect((await h.call('GET', '/api/v1/admin/system', { key: keys['create-projects'] })).status).toBe(403);
    expect((await h.call('GET', '/api/v1/admin/system', { key: keys['admin'] })).status).toBe(200);
  });
});

describe('API keys', () => {
  it('creates a key shown once, lists it without secrets, records its use and revokes it', async () => {
    const r = await h.call('POST', '/api/v1/api-keys', {
      key: keys['admin'],
      body: { name: 'ci', role: 'eval-jobset' },
    });
    expect(r.status).toBe(201);
    const created = await body(r);
    expect(created.key).toMatch(/^fc_/);
    expect(created.key.startsWith(created.key_prefix)).toBe(true);
    const me = await body(await h.call('GET', '/api/v1/me', { key: created.key }));
    expect(me).toMatchObject({ kind: 'api-key', name: 'ci', roles: ['eval-jobset'], user: null });
    const list = await h.call('GET', '/api/v1/api-keys?limit=500', { key: keys['admin'] });
    const text = await list.text();
    expect(text).not.toContain(created.key);
    expect(text).not.toMatch(/hash/);
    const listed = JSON.parse(text).items.find((k: { id: number }) => k.id === created.id);
    expect(listed.last_used_at).not.toBeNull();
    const stored = await h.db.pool.query('SELECT key_hash FROM api_keys WHERE id = $1', [created.id]);
    expect(stored.rows[0].key_hash).toHaveLength(32);
    expect((await h.call('DELETE', `/api/v1/api-keys/${created.id}`, { key: keys['admin'] })).status).toBe(
      204,
    );
    const revoked = await h.call('GET', '/api/v1/me', { key: created.key });
    expect(revoked.status).toBe(401);
    expect((await body(revoked)).error.message).toBe('unknown API key');
    expect(
      (
        await h.call('POST', '/api/v1/api-keys', {
          key: keys['admin'],
          body: { name: 'x', role: 'bad role' },
        })
      ).status,
    ).toBe(400);
  });

  it('answers 401 to unknown keys and malformed headers even on public routes', async () => {
    expect((await h.call('GET', '/api/v1/projects', { key: 'fc_nope' })).status).toBe(401);
    expect(
      (await h.call('GET', '/api/v1/projects', { headers: { authorization: 'Basic Zm9vOmJhcg==' } })).status,
    ).toBe(401);
    expect((await h.call('GET', '/api/v1/projects')).status).toBe(200);
  });

  it('accepts server.api_key as an admin key', async () => {
    const me = await body(await h.call('GET', '/api/v1/me', { key: CONFIG_KEY }));
    expect(me).toMatchObject({ kind: 'config-key', roles: ['admin'] });
    expect((await h.call('GET', '/api/v1/users', { key: CONFIG_KEY })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/users', { key: `${CONFIG_KEY}x` })).status).toBe(401);
  });

  it('is created by `fc-server create-api-key`, printed once', async () => {
    const r = await runApp('server', ['create-api-key', '--name', 'bootstrap', '--role', 'admin'], {
      env: { FC_DATABASE__URL: h.db.url },
    });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const key = r.stdout.split('\n')[0]!;
    expect(key).toMatch(/^fc_[A-Za-z0-9_-]{43}$/);
    expect((await h.call('GET', '/api/v1/users', { key })).status).toBe(200);
    const bad = await runApp('server', ['create-api-key', '--name', 'x'], {
      env: { FC_DATABASE__URL: h.db.url },
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--role');
  });
});

describe('users and sessions', () => {
  let userId: number;

  beforeAll(async () => {
    const r = await h.call('POST', '/api/v1/users', {
      key: keys['admin'],
      body: {
        username: 'alice',
        password: 'correct horse',
        roles: ['create-projects'],
        email: 'alice@example.com',
      },
    });
    expect(r.status).toBe(201);
    const u = await body(r);
    expect(u).toMatchObject({ username: 'alice', roles: ['create-projects'], has_password: true });
    expect(JSON.stringify(u)).not.toMatch(/argon|password_hash/);
    userId = u.id;
  });

  async function login(password = 'correct horse'): Promise<Response> {
    return h.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password } });
  }

  /** The session cookie and the CSRF token its changes must carry (given at login). */
  function cookieOf(r: Response): { cookie: string; headers: Record<string, string> } {
    return {
      cookie: r.headers.get('set-cookie')!.split(';')[0]!,
      headers: { 'x-csrf-token': r.headers.get('x-csrf-token')! },
    };
  }

  it('manages users as admin', async () => {
    expect(
      (await h.call('POST', '/api/v1/users', { key: keys['admin'], body: { username: 'alice' } })).status,
    ).toBe(409);
    const short = await h.call('POST', '/api/v1/users', {
      key: keys['admin'],
      body: { username: 'bob', password: 'short' },
    });
    expect(short.status).toBe(400);
    expect((await body(short)).error.details.fields[0].field).toBe('password');
    const bob = await body(
      await h.call('POST', '/api/v1/users', { key: keys['admin'], body: { username: 'bob' } }),
    );
    const patched = await body(
      await h.call('PATCH', `/api/v1/users/${bob.id}`, {
        key: keys['admin'],
        body: { roles: ['cancel-build'] },
      }),
    );
    expect(patched.roles).toEqual(['cancel-build']);
    expect(
      (await body(await h.call('GET', `/api/v1/users/${bob.id}`, { key: keys['admin'] }))).username,
    ).toBe('bob');
    expect((await body(await h.call('GET', '/api/v1/users', { key: keys['admin'] }))).total).toBe(2);
    expect((await h.call('DELETE', `/api/v1/users/${bob.id}`, { key: keys['admin'] })).status).toBe(204);
    expect((await h.call('GET', `/api/v1/users/${bob.id}`, { key: keys['admin'] })).status).toBe(404);
  });

  it("logs in with a 24-hour HttpOnly SameSite=Lax cookie, acts with the user's roles, and logs out", async () => {
    expect((await login('wrong password')).status).toBe(401);
    const r = await login();
    expect(r.status).toBe(200);
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^fc\.sid=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(setCookie)![1]!);
    expect(Math.abs(expires - Date.now() - 24 * 3600 * 1000)).toBeLessThan(60_000);
    expect(setCookie).not.toMatch(/Secure/);
    const cookie = cookieOf(r);
    const me = await body(await h.call('GET', '/api/v1/me', { ...cookie }));
    expect(me).toMatchObject({
      kind: 'session',
      name: 'alice',
      roles: ['create-projects'],
      user: { id: userId },
    });
    expect(
      (
        await h.call('POST', '/api/v1/projects', {
          ...cookie,
          body: { name: 'alices', repository_url: 'file:///r' },
        })
      ).status,
    ).toBe(201);
    expect((await h.call('GET', '/api/v1/users', { ...cookie })).status).toBe(403);
    const rows = await h.db.pool.query('SELECT count(*)::int AS n FROM session');
    expect(rows.rows[0].n).toBeGreaterThanOrEqual(1);

    expect((await h.call('POST', '/api/v1/auth/logout', { ...cookie })).status).toBe(204);
    expect((await h.call('GET', '/api/v1/me', { ...cookie })).status).toBe(401);
  });

  it('ends a session when it expires', async () => {
    const cookie = cookieOf(await login());
    const before = await h.call('GET', '/api/v1/me', { ...cookie });
    expect(before.status).toBe(200);
    // The body ends after express-session has touched the row: read it so the touch cannot undo the expiry.
    await before.text();
    await h.db.pool.query("UPDATE session SET expire = now() - interval '1 second'");
    expect((await h.call('GET', '/api/v1/me', { ...cookie })).status).toBe(401);
  });

  it('changes the password and keeps starred jobs', async () => {
    const cookie = cookieOf(await login());
    const wrong = await h.call('POST', '/api/v1/me/password', {
      ...cookie,
      body: { current_password: 'nope', new_password: 'battery staple' },
    });
    expect(wrong.status).toBe(400);
    expect(
      (
        await h.call('POST', '/api/v1/me/password', {
          ...cookie,
          body: { current_password: 'correct horse', new_password: 'battery staple' },
        })
      ).status,
    ).toBe(204);
    expect((await login()).status).toBe(401);
    expect((await login('battery staple')).status).toBe(200);

    const f = await insertFixture(h.db.pool, { builds: [{ job: 'starme', status: 0 }] });
    const star = { jobset_id: f.jobsetId, job: 'starme' };
    expect((await h.call('POST', '/api/v1/me/starred-jobs', { ...cookie, body: star })).status).toBe(201);
    expect((await h.call('POST', '/api/v1/me/starred-jobs', { ...cookie, body: star })).status).toBe(409);
    const list = await body(await h.call('GET', '/api/v1/me/starred-jobs', { ...cookie }));
    expect(list.items).toEqual([expect.objectContaining({ jobset_id: f.jobsetId, job: 'starme' })]);
    expect(
      (await h.call('DELETE', `/api/v1/me/starred-jobs/${f.jobsetId}/starme`, { ...cookie })).status,
    ).toBe(204);
    expect(
      (await h.call('DELETE', `/api/v1/me/starred-jobs/${f.jobsetId}/starme`, { ...cookie })).status,
    ).toBe(404);
    // An API key without a user has no stars.
    expect((await h.call('GET', '/api/v1/me/starred-jobs', { key: keys['admin'] })).status).toBe(403);
    // A key that belongs to the user shares them.
    const own = await h.key('read-only', userId);
    expect((await h.call('GET', '/api/v1/me/starred-jobs', { key: own })).status).toBe(200);
  });
});
