// CSRF protection for the whole server, through HTTP: a cookie-authenticated change without the
// session's token, or from a foreign Origin, is 403 and changes nothing; bearer keys are unaffected.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture } from '../testing/build-fixtures';

let h: ApiHarness;
let cookie: string;
let token: string;

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
  const admin = await h.key('admin');
  expect(
    (
      await h.call('POST', '/api/v1/users', {
        key: admin,
        body: { username: 'carol', password: 'correct horse', roles: ['admin'] },
      })
    ).status,
  ).toBe(201);
  const login = await h.call('POST', '/api/v1/auth/login', {
    body: { username: 'carol', password: 'correct horse' },
  });
  cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  token = login.headers.get('x-csrf-token')!;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
});
afterAll(async () => {
  await h.close();
});

async function buildStatus(id: number): Promise<{ finished: boolean; build_status: number | null }> {
  const r = await h.db.pool.query('SELECT finished, build_status FROM builds WHERE id = $1', [id]);
  return r.rows[0] as { finished: boolean; build_status: number | null };
}

describe('CSRF protection', () => {
  it('refuses a cookie-authenticated form POST to /api/v1/builds/{id}/restart from a foreign Origin', async () => {
    const f = await insertFixture(h.db.pool, { builds: [{ job: 'broken', status: 1 }] });
    const id = f.buildIds[0]!;
    const r = await h.call('POST', `/api/v1/builds/${id}/restart`, {
      cookie,
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
        'x-csrf-token': token,
      },
      body: 'a=b',
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect(await buildStatus(id)).toEqual({ finished: true, build_status: 1 });
    // The same request without the token, from no Origin at all, is refused too.
    const noToken = await h.call('POST', `/api/v1/builds/${id}/restart`, {
      cookie,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(noToken.status).toBe(403);
    const wrong = await h.call('POST', `/api/v1/builds/${id}/restart`, {
      cookie,
      headers: { 'x-csrf-token': `${token.slice(0, -1)}x` },
    });
    expect(wrong.status).toBe(403);
    expect(await buildStatus(id)).toEqual({ finished: true, build_status: 1 });
    // With the session's token and its own Origin it goes through.
    const ok = await h.call('POST', `/api/v1/builds/${id}/restart`, {
      cookie,
      headers: { 'x-csrf-token': token, origin: h.url },
    });
    expect(ok.status).toBe(200);
    expect(await buildStatus(id)).toEqual({ finished: false, build_status: null });
  });

  it('guards page forms the same way, and tells the cookie client its token in /api/v1/me', async () => {
    const me = (await (await h.call('GET', '/api/v1/me', { cookie })).json()) as { csrf_token: string };
    expect(me.csrf_token).toBe(token);
    const form = (fields: Record<string, string>) => ({
      cookie,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const refused = await h.call('POST', '/logout', form({}));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('CSRF');
    expect((await h.call('GET', '/api/v1/me', { cookie })).status).toBe(200);
    const out = await h.call('POST', '/logout', { ...form({ _csrf: token }), redirect: 'manual' });
    expect(out.status).toBe(303);
    expect((await h.call('GET', '/api/v1/me', { cookie })).status).toBe(401);
  });

  it('refuses every form action of the dashboard without the token, before it runs', async () => {
    // A session of its own (the test before logged the first one out).
    const login = await h.call('POST', '/api/v1/auth/login', {
      body: { username: 'carol', password: 'correct horse' },
    });
    const session = login.headers.get('set-cookie')!.split(';')[0]!;
    const actions = h.server.pages.filter((p) => p.method === 'post');
    expect(actions.length).toBeGreaterThan(25);
    const concrete = (path: string) =>
      path
        .replace(':name', 'build-derivation')
        .replace(/:id\b/, '1')
        .replace(/:[a-z]+/g, 'x');
    const refused: string[] = [];
    for (const a of actions) {
      const r = await h.call('POST', concrete(a.path), {
        cookie: session,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: 'name=x',
      });
      if (r.status === 403 && (await r.text()).includes('missing or invalid CSRF token'))
        refused.push(a.path);
    }
    expect(refused).toEqual(actions.map((a) => a.path));
    // Still logged in: not even the log-out form ran.
    expect((await h.call('GET', '/api/v1/me', { cookie: session })).status).toBe(200);
  });

  it('leaves bearer-key clients alone, whatever their Origin', async () => {
    const f = await insertFixture(h.db.pool, { builds: [{ job: 'broken', status: 1 }] });
    const r = await h.call('POST', `/api/v1/builds/${f.buildIds[0]!}/restart`, {
      key: await h.key('admin'),
      headers: { origin: 'https://elsewhere.example' },
    });
    expect(r.status).toBe(200);
  });

  it('refuses an anonymous form POST from a foreign Origin (login CSRF)', async () => {
    const r = await h.call('POST', '/login', {
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=carol&password=correct+horse',
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('set-cookie')).toBeNull();
  });
});
