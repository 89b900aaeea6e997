/* eslint-disable @typescript-eslint/no-explicit-any */
// Attacks on logins and sessions, through HTTP: guessing passwords (throttled per user name and per
// address, also in parallel bursts), telling existing names from unknown ones by the time a refusal takes, and sessions that
// outlive a password change or their user.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

let h: ApiHarness;
let admin: string;
let aliceId: number;

beforeAll(async () => {
  // The defaults: 10 failures per user name, 50 per address, in 15 minutes.
  h = await startApiHarness(await createTestDatabase());
  admin = await h.key('admin');
  for (const username of ['alice', 'bob']) {
    const r = await h.call('POST', '/api/v1/users', {
      key: admin,
      body: { username, password: 'correct horse', roles: ['create-projects'] },
    });
    expect(r.status).toBe(201);
    if (username === 'alice') aliceId = ((await r.json()) as any).id;
  }
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.pool.query('DELETE FROM login_failures');
});

function login(username: string, password: string): Promise<Response> {
  return h.call('POST', '/api/v1/auth/login', { body: { username, password } });
}

function cookieOf(r: Response): string {
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

async function status(r: Promise<Response>): Promise<number> {
  const res = await r;
  await res.arrayBuffer();
  return res.status;
}

describe('password guessing', () => {
  it('refuses the right password after 10 wrong ones for the name, with 429 and Retry-After', async () => {
    for (let i = 0; i < 10; i++) expect(await status(login('alice', `guess ${i}`))).toBe(401);
    const r = await login('alice', 'correct horse');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(((await r.json()) as any).error).toMatchObject({
      code: 'rate_limited',
      message: expect.stringMatching(/^too many failed logins for this user name: try again in \d+ s$/),
    });
    // Another name from the same address is not locked out by alice's failures.
    expect(await status(login('bob', 'correct horse'))).toBe(200);
  });

  it('lets no more than 10 guesses through when they come all at once', async () => {
    // Had each attempt been counted only once its password was checked, the burst would all pass
    // the check first (15 of 60 did).
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => status(login('alice', `burst ${i}`))),
    );
    const counts: Record<number, number> = {};
    for (const s of burst) counts[s] = (counts[s] ?? 0) + 1;
    expect(counts).toEqual({ 401: 10, 429: 30 });
    expect(await status(login('alice', 'correct horse'))).toBe(429);
  }, 60_000);

  it('locks an unknown name exactly as a known one, so the lock tells nothing', async () => {
    for (let i = 0; i < 10; i++) expect(await status(login('mallory', `guess ${i}`))).toBe(401);
    expect(await status(login('mallory', 'x'))).toBe(429);
  });

  it('clears the count of a name on a successful login', async () => {
    for (let i = 0; i < 9; i++) expect(await status(login('alice', `guess ${i}`))).toBe(401);
    expect(await status(login('alice', 'correct horse'))).toBe(200);
    for (let i = 0; i < 9; i++) expect(await status(login('alice', `guess ${i}`))).toBe(401);
    expect(await status(login('alice', 'correct horse'))).toBe(200);
  });

  it('refuses an address after 50 failures, whatever names it tries', async () => {
    for (let i = 0; i < 50; i++) expect(await status(login(`name${i}`, 'guess'))).toBe(401);
    const r = await login('alice', 'correct horse');
    expect(r.status).toBe(429);
    expect(((await r.json()) as any).error.message).toMatch(/for this address/);
  }, 60_000);

  it('takes as long to refuse an unknown name as a wrong password (one argon2 verification each)', async () => {
    const median = async (username: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        expect(await status(login(username, `guess ${i}`))).toBe(401);
        times.push(performance.now() - t);
      }
      return times.sort((a, b) => a - b)[2]!;
    };
    await median('warm-up');
    const known = await median('alice');
    const unknown = await median('nobody-by-this-name');
    // Without the dummy verification an unknown name answered ~10x faster (1.5 ms against 17 ms).
    expect(unknown / known).toBeGreaterThan(0.4);
    expect(known / unknown).toBeGreaterThan(0.4);
  }, 60_000);
});

describe('sessions', () => {
  async function sessionsOf(userId: number): Promise<number> {
    const r = await h.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM session WHERE sess -> 'passport' ->> 'user' = $1::text`,
      [userId],
    );
    return r.rows[0]!.n;
  }

  it("end, all but the caller's own, when the user changes their password", async () => {
    const mineLogin = await login('alice', 'correct horse');
    const mine = cookieOf(mineLogin);
    const other = cookieOf(await login('alice', 'correct horse'));
    expect(await status(h.call('GET', '/api/v1/me', { cookie: other }))).toBe(200);
    const changed = await h.call('POST', '/api/v1/me/password', {
      cookie: mine,
      // A cookie-authenticated change carries the session's CSRF token (given at login).
      headers: { 'x-csrf-token': mineLogin.headers.get('x-csrf-token')! },
      body: { current_password: 'correct horse', new_password: 'battery staple' },
    });
    expect(changed.status).toBe(204);
    expect(await status(h.call('GET', '/api/v1/me', { cookie: other }))).toBe(401);
    expect(await status(h.call('GET', '/api/v1/me', { cookie: mine }))).toBe(200);
    expect(await sessionsOf(aliceId)).toBe(1);
  });

  it('all end when an admin sets the password; a change of roles alone ends none', async () => {
    const a = cookieOf(await login('alice', 'battery staple'));
    const b = cookieOf(await login('alice', 'battery staple'));
    const roles = await h.call('PATCH', `/api/v1/users/${aliceId}`, {
      key: admin,
      body: { roles: ['admin'] },
    });
    expect(roles.status).toBe(200);
    expect(((await (await h.call('GET', '/api/v1/me', { cookie: a })).json()) as any).roles).toEqual([
      'admin',
    ]);
    const reset = await h.call('PATCH', `/api/v1/users/${aliceId}`, {
      key: admin,
      body: { password: 'correct horse' },
    });
    expect(reset.status).toBe(200);
    for (const cookie of [a, b]) expect(await status(h.call('GET', '/api/v1/me', { cookie }))).toBe(401);
    expect(await sessionsOf(aliceId)).toBe(0);
  });

  it("end when the user is deleted, and the deleted user's cookie no longer works", async () => {
    const users = (await (await h.call('GET', '/api/v1/users?limit=500', { key: admin })).json()) as {
      items: { id: number; username: string }[];
    };
    const bobId = users.items.find((u) => u.username === 'bob')!.id;
    const cookie = cookieOf(await login('bob', 'correct horse'));
    expect(await sessionsOf(bobId)).toBeGreaterThan(0);
    expect(await status(h.call('DELETE', `/api/v1/users/${bobId}`, { key: admin }))).toBe(204);
    expect(await sessionsOf(bobId)).toBe(0);
    expect(await status(h.call('GET', '/api/v1/me', { cookie }))).toBe(401);
  });
});
