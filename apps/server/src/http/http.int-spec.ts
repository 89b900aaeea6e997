/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any */
// Cross-cutting HTTP behaviour: body limit, rate limit, database down, CORS, headers, timeout,
// OpenAPI completeness, metrics.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createPool } from '@fc/db';
import { createTestDatabase, metricValue, parseMetrics } from '@fc/testing';
import { startApiHarness, type ApiHarness, type HarnessOptions } from '../testing/api-harness';
import { expressPath } from './register-routes';

const harnesses: ApiHarness[] = [];
async function start(options: HarnessOptions = {}): Promise<ApiHarness> {
  const h = await startApiHarness(await createTestDatabase(), options);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

describe('limits', () => {
  it('answers 413 past server.max_body_size', async () => {
    const h = await start({ env: { FC_SERVER__MAX_BODY_SIZE: '1000' } });
    const key = await h.key('admin');
    const r = await h.call('POST', '/api/v1/projects', {
      key,
      body: { name: 'big', repository_url: 'x'.repeat(2000) },
    });
    expect(r.status).toBe(413);
    expect(((await r.json()) as any).error.code).toBe('payload_too_large');
    const small = await h.call('POST', '/api/v1/projects', {
      key,
      body: { name: 'small', repository_url: 'file:///r' },
    });
    expect(small.status).toBe(201);
  });

  it('answers 429 past the rate limit, per client, and recovers', async () => {
    const h = await start({ env: { FC_SERVER__RATE_LIMIT_RPS: '2', FC_SERVER__RATE_LIMIT_BURST: '3' } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await h.call('GET', '/api/v1/projects')).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toContain(429);
    const limited = await h.call('GET', '/api/v1/projects');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited.json()) as any).error.code).toBe('rate_limited');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await h.call('GET', '/api/v1/projects')).status).toBe(200);
  });

  it('answers 503 when a request outlives server.request_timeout', async () => {
    const h = await start({ env: { FC_SERVER__REQUEST_TIMEOUT: '1' } });
    const { port } = new URL(h.url);
    // A body that never finishes arriving keeps the request open.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na',
        );
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 5000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 503/);
    expect(answer).toContain('"code":"timeout"');
  });
});

describe('database down', () => {
  it('answers 503 on API routes and on /health, without details', async () => {
    const nowhere = createPool({
      url: 'postgres://postgres@127.0.0.1:1/none',
      connectTimeout: 2,
      maxConnections: 2,
    });
    const h = await start({ appPool: nowhere });
    const health = await h.call('GET', '/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
    const r = await h.call('GET', '/api/v1/projects');
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({
      error: { code: 'unavailable', message: 'the database is unavailable' },
    });
    const withKey = await h.call('GET', '/api/v1/builds', { key: 'fc_anything' });
    expect(withKey.status).toBe(503);
  });

  it('answers 503 when the database is dropped under a running server', async () => {
    const h = await start();
    expect((await h.call('GET', '/api/v1/builds')).status).toBe(200);
    await h.db.drop();
    const r = await h.call('GET', '/api/v1/builds');
    expect(r.status).toBe(503);
    expect((await h.call('GET', '/health')).status).toBe(503);
  });
});

describe('headers', () => {
  it('sets security headers and a request id', async () => {
    const h = await start();
    const r = await h.call('GET', '/api/v1/projects', { headers: { 'x-request-id': 'abc-123' } });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('referrer-policy')).toBe('same-origin');
    expect(r.headers.get('x-powered-by')).toBeNull();
    expect(r.headers.get('x-request-id')).toBe('abc-123');
  });

  it('answers CORS only for allowed origins, or any with cors_permissive', async () => {
    const h = await start({ env: { FC_SERVER__ALLOWED_ORIGINS: 'https://dash.example' } });
    const ok = await h.call('GET', '/api/v1/projects', { headers: { origin: 'https://dash.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await h.call('GET', '/api/v1/projects', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await h.call('OPTIONS', '/api/v1/projects', {
      headers: { origin: 'https://dash.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toContain('Authorization');

    const open = await start({ env: { FC_SERVER__CORS_PERMISSIVE: 'true' } });
    const any = await open.call('GET', '/api/v1/projects', {
      headers: { origin: 'https://anything.example' },
    });
    expect(any.headers.get('access-control-allow-origin')).toBe('*');
    expect(any.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('OpenAPI document', () => {
  it('documents every route, and every documented operation exists', async () => {
    const h = await start();
    const doc: any = await (await h.call('GET', '/api/v1/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    // Every route Express serves (read from its router stack) is documented, but for the
    // dashboard's HTML pages, their assets and the raw files pages link to (Hydra's
    // /build/{id}/log, /build/{id}/nixlog/{step}, /build/{id}/download/...).
    const pages = new Set([
      ...h.server.pages.map((p) => `${p.method.toUpperCase()} ${p.path}`),
      'GET /assets/:hash/:name',
    ]);
    const documentedSurface = /^[A-Z]+ \/(api\/|nix-cache\/|health$|metrics$)/;
    const served = new Set<string>();
    const stack = (h.server.app as any).router.stack as any[];
    for (const layer of stack) {
      if (!layer.handle?.stack) continue;
      for (const inner of layer.handle.stack) {
        if (!inner.route) continue;
        for (const method of Object.keys(inner.route.methods)) {
          const route = `${method.toUpperCase()} ${inner.route.path}`;
          if (!pages.has(route) && documentedSurface.test(route)) served.add(route);
        }
      }
    }
    expect(served.size).toBeGreaterThan(50);
    const documentedExpress = new Set([...documented].map((d) => expressPath(d)));
    expect([...served].filter((s) => !documentedExpress.has(s))).toEqual([]);
    expect([...documentedExpress].filter((d) => !served.has(d))).toEqual([]);

    // And every documented operation answers through HTTP as something other than "no route".
    for (const op of documented) {
      const [method, path] = op.split(' ') as [string, string];
      const concrete = path.replace(/\{job\}/g, 'j').replace(/\{[a-z_]+\}/g, '1');
      const r = await h.call(method, concrete, method === 'GET' ? {} : { body: {} });
      const text = await r.text();
      expect([op, text]).not.toEqual([op, expect.stringContaining('no route for')]);
    }

    // Requests and responses carry their schemas.
    const post = doc.paths['/api/v1/projects'].post;
    expect(post['x-fc-access']).toBe('create-projects');
    expect(post.requestBody.content['application/json'].schema.required).toEqual(['name', 'repository_url']);
    expect(post.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Project',
    });
    expect(doc.components.schemas.Build.properties.status.enum).toContain('dependency-failed');
    const list = doc.paths['/api/v1/builds'].get.parameters.map((p: { name: string }) => p.name);
    expect(list).toEqual([
      'limit',
      'offset',
      'cursor',
      'project_id',
      'jobset_id',
      'evaluation_id',
      'job',
      'system',
      'status',
    ]);
  });
});

describe('metrics', () => {
  it('serves Prometheus text with request counters and queue gauges', async () => {
    const h = await start();
    await h.call('GET', '/api/v1/projects');
    const r = await h.call('GET', '/metrics');
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    expect(text).toMatch(/fc_http_requests_total\{.*route="\/api\/v1\/projects".*\} 1/);
    expect(text).toMatch(/fc_builds_queued\{[^}]*\} 0/);
    expect(text).toMatch(/fc_builds_running\{[^}]*\} 0/);
  });

  it('reads the queues from the database at each scrape: builds by system, oldest wait, evaluations, pg-boss jobs', async () => {
    const h = await start();
    const scrape = async () => parseMetrics(await (await h.call('GET', '/metrics')).text());
    let m = await scrape();
    expect(metricValue(m, 'fc_builds_oldest_queued_age_seconds')).toBe(0);
    expect(metricValue(m, 'fc_evaluations_running')).toBe(0);
    expect(metricValue(m, 'fc_builds_queued_by_system', { system: 'x86_64-linux' })).toBeUndefined();

    const p = await h.pool.query<{ id: string }>(
      `INSERT INTO projects (name, repository_url) VALUES ('metrics', 'file:///r') RETURNING id`,
    );
    const j = await h.pool.query<{ id: string }>(
      `INSERT INTO jobsets (project_id, name, nix_expression) VALUES ($1, 'main', 'release.nix') RETURNING id`,
      [p.rows[0]!.id],
    );
    const [projectId, jobsetId] = [p.rows[0]!.id, j.rows[0]!.id];
    await h.pool.query(
      `INSERT INTO evaluations (jobset_id, project_id, status) VALUES ($1, $2, 'running'), ($1, $2, 'succeeded')`,
      [jobsetId, projectId],
    );
    const build = (n: number, system: string, state: 'queued' | 'running' | 'finished', ageSeconds = 0) =>
      h.pool.query(
        `INSERT INTO builds (project_id, jobset_id, job, drv_path, system, created_at, started_at, finished, build_status)
         VALUES ($1, $2, $3, $4, $5, now() - make_interval(secs => $6),
                 CASE WHEN $7 <> 'queued' THEN now() END, $7 = 'finished', CASE WHEN $7 = 'finished' THEN 0 END)`,
        [projectId, jobsetId, `job${n}`, `/nix/store/x${n}.drv`, system, ageSeconds, state],
      );
    await build(1, 'x86_64-linux', 'queued', 120);
    await build(2, 'x86_64-linux', 'queued', 5);
    await build(3, 'aarch64-linux', 'queued', 30);
    await build(4, 'x86_64-linux', 'running', 600);
    await build(5, 'x86_64-linux', 'finished', 900);
    await h.boss.send('build-derivation', { buildId: 1 });
    await h.boss.send('build-derivation', { buildId: 2 });
    await h.boss.send('evaluate-jobset', { jobsetId: Number(jobsetId), force: false, reason: 'api' });
    expect(await h.boss.fetch('build-derivation')).toHaveLength(1);

    m = await scrape();
    expect(metricValue(m, 'fc_builds_queued')).toBe(3);
    expect(metricValue(m, 'fc_builds_running')).toBe(1);
    expect(metricValue(m, 'fc_builds_queued_by_system', { system: 'x86_64-linux' })).toBe(2);
    expect(metricValue(m, 'fc_builds_queued_by_system', { system: 'aarch64-linux' })).toBe(1);
    const age = metricValue(m, 'fc_builds_oldest_queued_age_seconds')!;
    expect(age).toBeGreaterThanOrEqual(120);
    expect(age).toBeLessThan(180);
    expect(metricValue(m, 'fc_evaluations_running')).toBe(1);
    expect(metricValue(m, 'fc_queue_jobs', { queue: 'build-derivation', state: 'created' })).toBe(1);
    expect(metricValue(m, 'fc_queue_jobs', { queue: 'build-derivation', state: 'active' })).toBe(1);
    expect(metricValue(m, 'fc_queue_jobs', { queue: 'evaluate-jobset', state: 'created' })).toBe(1);

    // Everything finished: the per-system series stay, at 0.
    await h.pool.query(`UPDATE builds SET finished = true, build_status = 0, started_at = now()`);
    await h.pool.query(`UPDATE evaluations SET status = 'succeeded'`);
    m = await scrape();
    expect(metricValue(m, 'fc_builds_queued')).toBe(0);
    expect(metricValue(m, 'fc_builds_queued_by_system', { system: 'x86_64-linux' })).toBe(0);
    expect(metricValue(m, 'fc_builds_oldest_queued_age_seconds')).toBe(0);
    expect(metricValue(m, 'fc_evaluations_running')).toBe(0);
  });
});
