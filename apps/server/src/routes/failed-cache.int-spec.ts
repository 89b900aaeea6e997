/* eslint-disable @typescript-eslint/no-explicit-any */
// Hydra's failed builds cache through fc-server and the built fc-queue-runner (real Nix): a build that
// needs a derivation which failed is not run (its step a cached failure, 8) and its log says why and how
// to retry; an admin clears the cache (POST /api/v1/admin/clear-failed-cache, or the /admin page's
// button: Hydra's /admin/clear-failed-cache), and the next build that needs it builds it again.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import {
  createLiveJobset,
  queueLiveBuild,
  randomNonce,
  startQueueRunner,
  type LiveJobset,
  type QueueRunner,
} from '../testing/real-builds';

jest.setTimeout(120_000);

describe('the failed builds cache', () => {
  let h: ApiHarness;
  let runner: QueueRunner;
  let jobset: LiveJobset;
  let admin: string;
  const nonce = randomNonce();
  const marker = `CACHE${nonce}`;

  async function finished(id: number): Promise<any> {
    for (;;) {
      const b = (await (await h.call('GET', `/api/v1/builds/${id}`)).json()) as any;
      if (b.finished) return b;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  interface Step {
    drv_path: string;
    status: number | null;
    propagated_from: number | null;
  }
  const steps = async (id: number): Promise<Step[]> => {
    const body = (await (await h.call('GET', `/api/v1/builds/${id}/steps`)).json()) as { items: Step[] };
    return body.items.map((s) => ({
      drv_path: s.drv_path,
      status: s.status,
      propagated_from: s.propagated_from,
    }));
  };
  const log = async (id: number) => (await h.call('GET', `/api/v1/builds/${id}/log`)).text();
  const adminPage = async () => {
    const r = await h.call('GET', '/admin', { key: admin, headers: { accept: 'text/html' } });
    const html = await r.text();
    expect([r.status, r.status === 200 ? '' : html]).toEqual([200, '']);
    return html;
  };
  const cachedPaths = async () => /<strong id="fc-failed-paths">(\d+)<\/strong>/.exec(await adminPage())?.[1];

  beforeAll(async () => {
    h = await startApiHarness(await createTestDatabase());
    admin = await h.key('admin');
    jobset = await createLiveJobset(h.pool, 'failedcache');
    runner = startQueueRunner(h.db.url);
  });

  afterAll(async () => {
    await runner?.stop();
    await h?.close();
  });

  it('does not run a build that needs a failed derivation, and says so in its log', async () => {
    const failed = await queueLiveBuild(h.pool, h.boss, jobset, 'fails', { nonce, marker });
    expect((await finished(failed)).status).toBe('failed');
    expect(await cachedPaths()).toBe('1');

    const dependent = await queueLiveBuild(h.pool, h.boss, jobset, 'dependsOnFails', { nonce, marker });
    const b = await finished(dependent);
    expect(b).toMatchObject({ status: 'dependency-failed', is_cached: true });
    const [step] = await steps(dependent);
    expect(step).toMatchObject({ status: 8, propagated_from: failed });
    if (!step) throw new Error('no step');
    const text = await log(dependent);
    expect(text).toBe(
      `cached failure: derivation ${step.drv_path} failed earlier in build ${failed}; it was not built again (status 8).\n` +
        `This build was not run. Restart build ${failed} or this build to build it again, or clear the failed builds cache on /admin.\n`,
    );
    expect(text).not.toContain(`${marker}-failing`);
  });

  it('is cleared by admins only (a cookie session with its CSRF token), in the API and on /admin', async () => {
    const readOnly = await h.key('read-only');
    expect((await h.call('POST', '/api/v1/admin/clear-failed-cache', { key: readOnly })).status).toBe(403);
    expect((await h.call('POST', '/api/v1/admin/clear-failed-cache')).status).toBe(401);
    expect(
      (
        await h.call('POST', '/api/v1/users', {
          key: admin,
          body: { username: 'dora', password: 'correct horse', roles: ['admin'] },
        })
      ).status,
    ).toBe(201);
    const login = await h.call('POST', '/api/v1/auth/login', {
      body: { username: 'dora', password: 'correct horse' },
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const token = login.headers.get('x-csrf-token')!;
    expect((await h.call('POST', '/api/v1/admin/clear-failed-cache', { cookie })).status).toBe(403);
    expect(await cachedPaths()).toBe('1');

    // The page: Hydra's "Clear failed builds cache" as a form, answered with a redirect and a message.
    const html = await adminPage();
    expect(html).toContain('action="/admin/clear-failed-cache"');
    const form = await h.call('POST', '/admin/clear-failed-cache', {
      cookie,
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token }).toString(),
      redirect: 'manual',
    });
    expect(form.status).toBe(303);
    expect(form.headers.get('location')).toBe('/admin#failed-cache');
    const after = await (await h.call('GET', '/admin', { cookie, headers: { accept: 'text/html' } })).text();
    expect(after).toContain(
      'The failed builds cache was cleared (1 output path): failed derivations will be built again.',
    );
    expect(/<strong id="fc-failed-paths">(\d+)<\/strong>/.exec(after)?.[1]).toBe('0');

    // The API, with the session's token: nothing left to clear.
    const api = await h.call('POST', '/api/v1/admin/clear-failed-cache', {
      cookie,
      headers: { 'x-csrf-token': token },
    });
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ cleared: 0 });
  });

  it('after clearing, a build that needs the failed derivation builds it again', async () => {
    const again = await queueLiveBuild(h.pool, h.boss, jobset, 'dependsOnFails', {
      nonce,
      marker,
      job: 'dependsOnFails-again',
    });
    const b = await finished(again);
    expect(b).toMatchObject({ status: 'dependency-failed', is_cached: false });
    expect(await steps(again)).toContainEqual(expect.objectContaining({ status: 1, propagated_from: null }));
    expect(await log(again)).toContain(`${marker}-failing`);
    // It failed again: cached again, and an admin key clears it through the API.
    expect(await cachedPaths()).toBe('1');
    const api = await h.call('POST', '/api/v1/admin/clear-failed-cache', { key: admin });
    expect(await api.json()).toEqual({ cleared: 1 });
  });
});
