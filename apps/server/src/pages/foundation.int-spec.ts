// The dashboard's foundation through HTTP: assets from node_modules with cache headers, HTML error
// pages through the one error boundary, the login form, and JSON kept for the API.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';

let h: ApiHarness;
const html = { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } };

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
});
afterAll(async () => {
  await h.close();
});

describe('dashboard foundation', () => {
  it('serves the CSS and chart libraries itself, cacheable for a year', async () => {
    const page = await (await h.call('GET', '/', html)).text();
    const urls = [...page.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toEqual(
      expect.arrayContaining([expect.stringMatching(/pico\.css$/), expect.stringMatching(/fc\.css$/)]),
    );
    for (const url of urls) {
      const r = await h.call('GET', url);
      expect([url, r.status]).toEqual([url, 200]);
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect(page).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"]*\.(css|js)"/);
  });

  it('answers an unknown page with the HTML 404 page, and the API with JSON', async () => {
    const r = await h.call('GET', '/no/such/page', html);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await r.text();
    expect(text).toContain('<title>Not found · FC</title>');
    expect(text).toContain('no route for GET /no/such/page');
    const api = await h.call('GET', '/api/v1/nothing', html);
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({
      error: { code: 'not_found', message: 'no route for GET /api/v1/nothing' },
    });
    expect((await h.call('GET', '/no/such/page')).headers.get('content-type')).toMatch(/json/);
  });

  it('escapes what the user typed back into the page', async () => {
    const r = await h.call('GET', `/?q=${encodeURIComponent('"><script>alert(1)</script>')}`, html);
    const text = await r.text();
    expect(text).not.toContain('<script>alert(1)</script>');
    expect(text).toContain('&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('logs in with a wrong password to a 401 form that says why', async () => {
    const r = await h.call('POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=nobody&password=nothing&next=%2F',
    });
    expect(r.status).toBe(401);
    expect(await r.text()).toContain('unknown user or wrong password');
  });

  it('logs in with an API key to a session and goes back where it was', async () => {
    const key = await h.key('eval-jobset');
    const r = await h.call('POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: key, next: '/projects' }).toString(),
      redirect: 'manual',
    });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/projects');
    const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
    const me = (await (await h.call('GET', '/api/v1/me', { cookie })).json()) as {
      kind: string;
      roles: string[];
    };
    expect(me).toMatchObject({ kind: 'session', roles: ['eval-jobset'] });
    const home = await (await h.call('GET', '/', { ...html, cookie })).text();
    expect(home).toContain('Logged in as <strong>eval-jobset key</strong>');
    expect(home).toMatch(/name="_csrf" value="[A-Za-z0-9_-]{43}"/);
  });
});
