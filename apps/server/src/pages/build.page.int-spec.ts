// The build page and its files against real builds (fc-queue-runner, Nix): what the page shows,
// the raw log, product downloads (Content-Type, no way out of the product), the actions and who
// sees them, and stored markup that stays text.
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

const XSS_JOB = '<script>window.pwned=1</script>';
const XSS_MARKER = '<img src=x onerror=alert(1)>';

describe('the build page', () => {
  let h: ApiHarness;
  let runner: QueueRunner;
  let jobset: LiveJobset;
  let admin: string;
  let readOnly: string;
  let productsBuild: number;

  const page = (path: string, key?: string) =>
    h.call('GET', path, { headers: { accept: 'text/html' }, ...(key ? { key } : {}) });

  async function finished(id: number): Promise<{ status: string }> {
    for (;;) {
      const b = (await (await h.call('GET', `/api/v1/builds/${id}`)).json()) as {
        status: string;
        finished: boolean;
      };
      if (b.finished) return b;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    h = await startApiHarness(await createTestDatabase());
    admin = await h.key('admin');
    readOnly = await h.key('read-only');
    jobset = await createLiveJobset(h.pool, 'pagetest');
    runner = startQueueRunner(h.db.url);
    productsBuild = await queueLiveBuild(h.pool, h.boss, jobset, 'withProducts', {
      nonce: randomNonce(),
      marker: XSS_MARKER,
      job: XSS_JOB,
    });
    expect((await finished(productsBuild)).status).toBe('succeeded');
  });

  afterAll(async () => {
    await runner?.stop();
    await h?.close();
  });

  it("shows a finished build's status, job, derivation, times, outputs, steps, products and log", async () => {
    const res = await page(`/build/${productsBuild}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<title>Build ${productsBuild} of job pagetest:main:`);
    expect(html).toMatch(/class="fc-status fc-status-success" data-status="succeeded">Succeeded</);
    expect(html).toMatch(
      /<th scope="row">Derivation<\/th><td><code class="fc-path">\/nix\/store\/[a-z0-9]{32}-with-products-/,
    );
    expect(html).toMatch(/<th scope="row">Duration<\/th><td id="fc-build-duration">\d+s</);
    expect(html).toContain(`href="/build/${productsBuild}/download/1/report.html"`);
    expect(html).toContain(`href="/build/${productsBuild}/download/2/notes.txt"`);
    expect(html).toMatch(new RegExp(`href="/build/${productsBuild}/nixlog/1">log</a>`));
    // A finished build's page has no live stream.
    expect(html).not.toMatch(/data-stream="\/api/);
  });

  it('keeps stored markup inert: job names, log lines, product names, metrics, release names are text', async () => {
    const html = await (await page(`/build/${productsBuild}`)).text();
    expect(html).not.toContain(XSS_JOB);
    expect(html).not.toContain(XSS_MARKER);

    expect(html).toContain('&lt;script&gt;window.pwned=1&lt;/script&gt;');
    const marker = '&lt;img src=x onerror=alert(1)&gt;';
    expect(html).toContain(`class="fc-product">${marker}.txt</a>`);
    expect(html).toContain('<td>&lt;img_src=x_onerror=alert(1)&gt;</td><td>42 %</td>');
    expect(html).toContain(`writing the ${marker} products`);
    expect(html).toContain(`<th scope="row">Release name</th><td>release ${marker}</td>`);
    // The HTML product is served in a sandbox: it cannot run scripts as the dashboard.
    const report = await h.call('GET', `/build/${productsBuild}/download/1/report.html`);
    expect(report.headers.get('content-security-policy')).toMatch(/^sandbox;/);
  });

  it('serves the raw log and a step log as text', async () => {
    const log = await h.call('GET', `/build/${productsBuild}/log`);
    expect(log.status).toBe(200);
    expect(log.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const whole = await log.text();
    expect(whole).toContain('writing the ');
    const step = await h.call('GET', `/build/${productsBuild}/nixlog/1`);
    expect(step.status).toBe(200);
    // Hydra's other log URLs, as bookmarks have them: …/raw, …/tail (the last 50 lines), /step/{n}/log.
    const text = async (path: string) => {
      const r = await h.call('GET', path);
      expect([path, r.status, r.headers.get('content-type')]).toEqual([
        path,
        200,
        'text/plain; charset=utf-8',
      ]);
      return r.text();
    };
    expect(await text(`/build/${productsBuild}/log/raw`)).toBe(whole);
    expect(await text(`/build/${productsBuild}/log/tail`)).toBe(whole);
    const stepLog = await text(`/build/${productsBuild}/nixlog/1/raw`);
    expect(await text(`/build/${productsBuild}/step/1/log`)).toBe(stepLog);
    expect(await text(`/build/${productsBuild}/step/1/log/tail`)).toBe(stepLog);
    expect((await h.call('GET', `/build/${productsBuild}/log/pretty`)).status).toBe(400);
    expect((await h.call('GET', `/build/${productsBuild}/nixlog/99`)).status).toBe(404);
  });

  it('downloads products with their Content-Type and nothing outside them', async () => {
    const report = await h.call('GET', `/build/${productsBuild}/download/1/report.html`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await report.text()).toBe(`${XSS_MARKER}\n`);
    const notes = await h.call('GET', `/build/${productsBuild}/download/2/notes.txt`);
    expect(notes.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await notes.text()).toBe(`plain text ${XSS_MARKER}\n`);
    // A file named with markup, a file without an extension, a directory's default file.
    const named = await h.call(
      'GET',
      `/build/${productsBuild}/download/3/${encodeURIComponent(`${XSS_MARKER}.txt`)}`,
    );
    expect(named.status).toBe(200);
    expect(named.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await named.text()).toBe(`named ${XSS_MARKER}\n`);
    const readme = await h.call('GET', `/build/${productsBuild}/download/5/README`);
    expect(readme.headers.get('content-type')).toBe('application/octet-stream');
    expect(await readme.text()).toBe('no extension\n');
    const site = await h.call('GET', `/build/${productsBuild}/download/4`, { redirect: 'manual' });
    expect(site.status).toBe(302);
    expect(site.headers.get('location')).toBe(`/build/${productsBuild}/download/4/index.html`);
    const index = await h.call('GET', `/build/${productsBuild}/download/4/index.html`);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toMatch(/^sandbox;/);
    for (const path of [
      // A symlink in the product that leads out of it.
      `/build/${productsBuild}/download/4/leak`,
      `/build/${productsBuild}/download/4/..%2F..%2F..%2Fetc%2Fpasswd`,
      `/build/${productsBuild}/download/1/..%2F..%2F..%2F..%2Fetc%2Fpasswd`,
      `/build/${productsBuild}/download/1/%2E%2E/%2E%2E/etc/passwd`,
      `/build/${productsBuild}/download/2/other.txt`,
      `/build/${productsBuild}/download/9/x`,
    ]) {
      const r = await h.call('GET', path);
      expect([path, r.status]).toEqual([path, expect.any(Number)]);
      expect(r.status === 400 || r.status === 404).toBe(true);
      expect(await r.text()).not.toContain('root:');
    }
  });

  it('shows the actions to those who may use them; the actions refuse the others', async () => {
    const id = await queueLiveBuild(h.pool, h.boss, jobset, 'sleeper', { nonce: randomNonce() });
    const asAdmin = await (await page(`/build/${id}`, admin)).text();
    expect(asAdmin).toContain(`action="/build/${id}/cancel"`);
    expect(asAdmin).toContain(`data-stream="/api/v1/builds/${id}/log/stream"`);
    const asReader = await (await page(`/build/${id}`, readOnly)).text();
    expect(asReader).not.toMatch(/action="\/build\/\d+\/(cancel|restart|bump)"/);
    expect((await h.call('POST', `/build/${id}/cancel`, { key: readOnly })).status).toBe(403);

    const cancel = await h.call('POST', `/build/${id}/cancel`, {
      key: admin,
      headers: { accept: 'text/html' },
    });
    expect(cancel.status).toBe(200); // followed the 303 back to the build page
    expect((await finished(id)).status).toBe('cancelled');
    const after = await (await page(`/build/${id}`, admin)).text();
    expect(after).toContain(`action="/build/${id}/restart"`);
    expect(after).not.toContain(`action="/build/${id}/cancel"`);
  });
});
