/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return */
// Projects, jobsets, evaluations, builds, channels, search, builders, system and webhooks, driven
// through HTTP against a real database and pg-boss.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture } from '../testing/build-fixtures';

let h: ApiHarness;
let admin: string;

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase(), { statsMaxAgeMs: 0 });
  admin = await h.key('admin');
});
afterAll(async () => {
  await h.close();
});

async function body(r: Response): Promise<any> {
  return r.json();
}

describe('projects and jobsets', () => {
  it('creates, reads, lists, updates and deletes a project', async () => {
    const created = await h.call('POST', '/api/v1/projects', {
      key: admin,
      body: { name: 'hello', repository_url: 'https://example.invalid/hello.git', description: 'greets' },
    });
    expect(created.status).toBe(201);
    const p = await body(created);
    expect(p).toMatchObject({
      name: 'hello',
      repository_url: 'https://example.invalid/hello.git',
      enabled: true,
    });
    expect(typeof p.id).toBe('number');

    expect((await h.call('GET', `/api/v1/projects/${p.id}`)).status).toBe(200);
    const list = await body(await h.call('GET', '/api/v1/projects'));
    expect(list.items.map((x: { name: string }) => x.name)).toContain('hello');
    expect(list).toMatchObject({ limit: 50, offset: 0 });

    const dup = await h.call('POST', '/api/v1/projects', {
      key: admin,
      body: { name: 'hello', repository_url: 'https://example.invalid/other.git' },
    });
    expect(dup.status).toBe(409);
    expect((await body(dup)).error.code).toBe('conflict');

    const patched = await h.call('PATCH', `/api/v1/projects/${p.id}`, {
      key: admin,
      body: { enabled: false },
    });
    expect(patched.status).toBe(200);
    expect((await body(patched)).enabled).toBe(false);

    expect((await h.call('DELETE', `/api/v1/projects/${p.id}`, { key: admin })).status).toBe(204);
    const gone = await h.call('GET', `/api/v1/projects/${p.id}`);
    expect(gone.status).toBe(404);
    expect(await body(gone)).toEqual({
      error: { code: 'not_found', message: `project ${p.id} does not exist` },
    });
  });

  it('names every invalid field in a 400', async () => {
    const r = await h.call('POST', '/api/v1/projects', {
      key: admin,
      body: { name: 'bad name!', enabled: 'yes', surprise: 1 },
    });
    expect(r.status).toBe(400);
    const e = (await body(r)).error;
    expect(e.code).toBe('invalid_request');
    const fields = e.details.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['enabled', 'name', 'repository_url', 'surprise']);
    expect(JSON.stringify(e)).not.toMatch(/at .*\.ts:/);

    const badJson = await h.call('POST', '/api/v1/projects', { key: admin, body: '{"name":' });
    expect(badJson.status).toBe(400);
    expect((await body(badJson)).error.code).toBe('invalid_json');

    const badId = await h.call('GET', '/api/v1/projects/abc');
    expect(badId.status).toBe(400);
    expect((await body(badId)).error.details.fields[0]).toMatchObject({ field: 'id', in: 'path' });
  });

  it('creates a jobset with defaults and inputs, updates and deletes it', async () => {
    const p = await body(
      await h.call('POST', '/api/v1/projects', {
        key: admin,
        body: { name: 'js-proj', repository_url: 'file:///r' },
      }),
    );
    const r = await h.call('POST', `/api/v1/projects/${p.id}/jobsets`, {
      key: admin,
      body: {
        name: 'trunk',
        nix_expression: 'release.nix',
        inputs: [{ name: 'nixpkgs', type: 'git', value: 'https://example.invalid/nixpkgs.git' }],
      },
    });
    expect(r.status).toBe(201);
    const j = await body(r);
    expect(j).toMatchObject({
      name: 'trunk',
      project_id: p.id,
      flake_mode: false,
      check_interval: 60,
      enabled: true,
      state: 'enabled',
      scheduling_shares: 100,
      keep_nr: 3,
      inputs: [{ name: 'nixpkgs', type: 'git', value: 'https://example.invalid/nixpkgs.git', branch: null }],
    });
    const dup = await h.call('POST', `/api/v1/projects/${p.id}/jobsets`, {
      key: admin,
      body: { name: 'trunk', nix_expression: 'x.nix' },
    });
    expect(dup.status).toBe(409);
    const missing = await h.call('POST', '/api/v1/projects/999999/jobsets', {
      key: admin,
      body: { name: 'trunk', nix_expression: 'x.nix' },
    });
    expect(missing.status).toBe(404);
    const badInput = await h.call('POST', `/api/v1/projects/${p.id}/jobsets`, {
      key: admin,
      body: {
        name: 'x',
        nix_expression: 'x.nix',
        state: 'sometimes',
        inputs: [{ name: '1x', type: 'cvs', value: '' }],
      },
    });
    expect(badInput.status).toBe(400);
    expect((await body(badInput)).error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual(
      ['inputs.0.name', 'inputs.0.type', 'state'],
    );

    const listed = await body(await h.call('GET', `/api/v1/projects/${p.id}/jobsets`));
    expect(listed.total).toBe(1);
    const upd = await body(
      await h.call('PATCH', `/api/v1/jobsets/${j.id}`, {
        key: admin,
        body: { enabled: false, flake_mode: true, nix_expression: 'hydraJobs', inputs: [] },
      }),
    );
    expect(upd).toMatchObject({ state: 'disabled', enabled: false, flake_mode: true, inputs: [] });
    expect((await h.call('DELETE', `/api/v1/jobsets/${j.id}`, { key: admin })).status).toBe(204);
    expect((await h.call('GET', `/api/v1/jobsets/${j.id}`)).status).toBe(404);
  });
});

describe('pagination', () => {
  beforeAll(async () => {
    for (let i = 0; i < 7; i++) {
      await h.call('POST', '/api/v1/projects', {
        key: admin,
        body: { name: `page-${i}`, repository_url: 'file:///r' },
      });
    }
  });

  it('defaults to 50, caps at 500, honours offset and reports the total', async () => {
    const all = await body(await h.call('GET', '/api/v1/projects'));
    expect(all.limit).toBe(50);
    expect(all.offset).toBe(0);
    expect(all.total).toBe(all.items.length);
    const two = await body(await h.call('GET', '/api/v1/projects?limit=2&offset=1'));
    expect(two.items).toHaveLength(2);
    expect(two.items[0].name).toBe(all.items[1].name);
    expect(two.total).toBe(all.total);
    const past = await body(await h.call('GET', `/api/v1/projects?offset=${all.total}`));
    expect(past.items).toEqual([]);
    expect(past.total).toBe(all.total);
    expect((await h.call('GET', '/api/v1/projects?limit=500')).status).toBe(200);
    for (const bad of ['limit=501', 'limit=0', 'offset=-1', 'limit=abc']) {
      const r = await h.call('GET', `/api/v1/projects?${bad}`);
      expect(r.status).toBe(400);
      expect((await body(r)).error.details.fields[0].in).toBe('query');
    }
  });
});

describe('evaluations and builds', () => {
  let f: Awaited<ReturnType<typeof insertFixture>>;
  let logDir: string;

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'fc-logs-'));
    writeFileSync(join(logDir, 'ok.log.gz'), gzipSync('building hello\nall good\n'));
    f = await insertFixture(h.db.pool, {
      builds: [
        { job: 'hello', status: 0, logPath: join(logDir, 'ok.log.gz') },
        { job: 'fails', status: 1 },
        { job: 'waiting', status: 'queued' },
        { job: 'busy', status: 'running', system: 'aarch64-linux' },
        { job: 'aborted', status: 3 },
      ],
    });
  });

  it('lists evaluations by jobset and project and gets one', async () => {
    const byJobset = await body(await h.call('GET', `/api/v1/evaluations?jobset_id=${f.jobsetId}`));
    expect(byJobset.total).toBe(1);
    expect(byJobset.items[0]).toMatchObject({
      id: f.evaluationId,
      jobset_id: f.jobsetId,
      status: 'succeeded',
      errors: [],
      error: null,
      has_new_builds: true,
    });
    const byProject = await body(await h.call('GET', `/api/v1/evaluations?project_id=${f.projectId}`));
    expect(byProject.total).toBe(1);
    expect((await h.call('GET', `/api/v1/evaluations/${f.evaluationId}`)).status).toBe(200);
    expect((await h.call('GET', '/api/v1/evaluations/999999')).status).toBe(404);
  });

  it('triggers an evaluation through pg-boss, one queued per jobset', async () => {
    const r = await h.call('POST', '/api/v1/evaluations/trigger', {
      key: admin,
      body: { jobset_id: f.jobsetId },
    });
    expect(r.status).toBe(202);
    const first = await body(r);
    expect(first).toMatchObject({ jobset_id: f.jobsetId, queued: true });
    const job = await h.boss.getJobById('evaluate-jobset', first.job_id);
    expect(job?.data).toMatchObject({ jobsetId: f.jobsetId, force: false, reason: 'api' });
    const second = await body(
      await h.call('POST', '/api/v1/evaluations/trigger', {
        key: admin,
        body: { jobset_id: f.jobsetId, force: true },
      }),
    );
    expect(second.queued).toBe(false);
    const js = await h.db.pool.query('SELECT force_eval, trigger_time FROM jobsets WHERE id = $1', [
      f.jobsetId,
    ]);
    expect(js.rows[0]).toMatchObject({ force_eval: true });
    expect(
      (await h.call('POST', '/api/v1/evaluations/trigger', { key: admin, body: { jobset_id: 999999 } }))
        .status,
    ).toBe(404);
  });

  it('lists builds with each filter', async () => {
    const all = await body(await h.call('GET', `/api/v1/builds?jobset_id=${f.jobsetId}`));
    expect(all.total).toBe(5);
    expect(all.total_exact).toBe(true);
    expect(all.items.map((b: { id: number }) => b.id)).toEqual([...f.buildIds].reverse());
    const names = async (q: string) =>
      (await body(await h.call('GET', `/api/v1/builds?project_id=${f.projectId}&${q}`))).items.map(
        (b: { job: string }) => b.job,
      );
    expect(await names('status=succeeded')).toEqual(['hello']);
    expect(await names('status=failed')).toEqual(['fails']);
    expect(await names('status=queued')).toEqual(['waiting']);
    expect(await names('status=running')).toEqual(['busy']);
    expect(await names('system=aarch64-linux')).toEqual(['busy']);
    expect(await names('job=fails')).toEqual(['fails']);
    expect(await names(`evaluation_id=${f.evaluationId}&limit=2`)).toEqual(['aborted', 'busy']);
    const bad = await h.call('GET', '/api/v1/builds?status=great');
    expect(bad.status).toBe(400);
    expect((await body(bad)).error.details.fields[0].field).toBe('status');
  });

  it('gets one build with outputs, its steps and its log', async () => {
    const b = await body(await h.call('GET', `/api/v1/builds/${f.buildIds[0]}`));
    expect(b).toMatchObject({
      id: f.buildIds[0],
      job: 'hello',
      finished: true,
      build_status: 0,
      status: 'succeeded',
      evaluation_id: f.evaluationId,
      has_log: true,
      products: [],
      metrics: [],
      constituents: [],
    });
    expect(b.outputs).toEqual([
      { name: 'out', path: expect.stringMatching(/^\/nix\/store\//), nar_size: null },
    ]);
    expect(b).not.toHaveProperty('log_path');
    const steps = await body(await h.call('GET', `/api/v1/builds/${f.buildIds[0]}/steps`));
    expect(steps).toEqual({ items: [] });
    const log = await h.call('GET', `/api/v1/builds/${f.buildIds[0]}/log`);
    expect(log.status).toBe(200);
    expect(log.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await log.text()).toBe('building hello\nall good\n');
    expect((await h.call('GET', `/api/v1/builds/${f.buildIds[1]}/log`)).status).toBe(404);
    expect((await h.call('GET', '/api/v1/builds/999999')).status).toBe(404);
    expect((await h.call('GET', '/api/v1/builds/999999/steps')).status).toBe(404);
  });

  it('cancels, restarts and bumps through pg-boss', async () => {
    const [, failed, queued] = f.buildIds as [number, number, number];
    // The queued build gets a real pg-boss job first, as the evaluator would have sent it.
    const restarted = await h.call('POST', `/api/v1/builds/${failed}/restart`, { key: admin });
    expect(restarted.status).toBe(200);
    const r = await body(restarted);
    expect(r).toMatchObject({ id: failed, finished: false, build_status: null, status: 'queued' });
    const row = await h.db.pool.query('SELECT queue_job_id FROM builds WHERE id = $1', [failed]);
    const jobId = row.rows[0].queue_job_id as string;
    expect((await h.boss.getJobById('build-derivation', jobId))?.data).toEqual({ buildId: failed });

    const bumped = await body(await h.call('POST', `/api/v1/builds/${failed}/bump`, { key: admin }));
    expect(bumped.global_priority).toBeGreaterThan(0);
    expect((await h.boss.getJobById('build-derivation', jobId))?.priority).toBeGreaterThanOrEqual(1_000_000);

    const cancelled = await body(await h.call('POST', `/api/v1/builds/${failed}/cancel`, { key: admin }));
    expect(cancelled).toMatchObject({ finished: true, build_status: 4, status: 'cancelled' });
    expect((await h.boss.getJobById('build-derivation', jobId))?.state).toBe('cancelled');

    const again = await h.call('POST', `/api/v1/builds/${failed}/cancel`, { key: admin });
    expect(again.status).toBe(409);
    expect((await h.call('POST', `/api/v1/builds/${queued}/restart`, { key: admin })).status).toBe(409);
    expect((await h.call('POST', '/api/v1/builds/999999/bump', { key: admin })).status).toBe(404);
  });

  it("restarts an evaluation's aborted builds", async () => {
    const r = await body(
      await h.call('POST', `/api/v1/evaluations/${f.evaluationId}/restart`, {
        key: admin,
        body: { which: 'aborted' },
      }),
    );
    // The aborted build (3) and the build cancelled above (4).
    expect(r.restarted).toEqual([f.buildIds[1], f.buildIds[4]]);
  });

  it('answers stats and recent builds', async () => {
    const st = await body(await h.call('GET', '/api/v1/builds/stats'));
    const direct = await h.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM builds');
    expect(st.total).toBe(direct.rows[0]!.n);
    expect(st.queued + st.running + st.finished).toBe(st.total);
    expect(st.by_status.succeeded).toBeGreaterThanOrEqual(1);
    expect(typeof st.finished_counted_at).toBe('string');
    const recent = await body(await h.call('GET', `/api/v1/builds/recent?jobset_id=${f.jobsetId}`));
    expect(recent.items.every((b: { finished: boolean }) => b.finished)).toBe(true);
    expect(recent.items.map((b: { job: string }) => b.job)).toContain('hello');
  });
});

describe('long lists: cursors, bounded offsets and capped totals', () => {
  let f: Awaited<ReturnType<typeof insertFixture>>;

  beforeAll(async () => {
    f = await insertFixture(h.db.pool, {
      builds: [
        { job: 'a', status: 0 },
        { job: 'b', status: 1 },
        { job: 'c', status: 0 },
        { job: 'd', status: 0 },
        { job: 'e', status: 0 },
      ],
    });
    await h.db.pool.query(
      `UPDATE builds SET stopped_at = now() - make_interval(secs => 100 - id) WHERE jobset_id = $1`,
      [f.jobsetId],
    );
  });

  it('pages the builds list by cursor, newest first, as offsets do', async () => {
    const ids = [...f.buildIds].reverse();
    const first = await body(await h.call('GET', `/api/v1/builds?jobset_id=${f.jobsetId}&limit=2`));
    expect(first.items.map((b: { id: number }) => b.id)).toEqual(ids.slice(0, 2));
    expect(first).toMatchObject({ total: 5, total_exact: true, next_cursor: ids[1] });
    const second = await body(
      await h.call('GET', `/api/v1/builds?jobset_id=${f.jobsetId}&limit=2&cursor=${first.next_cursor}`),
    );
    expect(second.items.map((b: { id: number }) => b.id)).toEqual(ids.slice(2, 4));
    expect(second).toMatchObject({ total: 5, next_cursor: ids[3] });
    const byOffset = await body(
      await h.call('GET', `/api/v1/builds?jobset_id=${f.jobsetId}&limit=2&offset=2`),
    );
    expect(byOffset.items).toEqual(second.items);
    const last = await body(
      await h.call('GET', `/api/v1/builds?jobset_id=${f.jobsetId}&limit=2&cursor=${second.next_cursor}`),
    );
    expect(last.items.map((b: { id: number }) => b.id)).toEqual(ids.slice(4));
    expect(last.next_cursor).toBeNull();
    // Through an evaluation's builds (the created and the reused ones, merged in order) too.
    const byEval = await body(
      await h.call('GET', `/api/v1/builds?evaluation_id=${f.evaluationId}&limit=3&cursor=${ids[0]}`),
    );
    expect(byEval.items.map((b: { id: number }) => b.id)).toEqual(ids.slice(1, 4));
  });

  it('pages recently finished builds by cursor in the order they finished', async () => {
    const ids = [...f.buildIds].reverse();
    const first = await body(await h.call('GET', `/api/v1/builds/recent?jobset_id=${f.jobsetId}&limit=3`));
    expect(first.items.map((b: { id: number }) => b.id)).toEqual(ids.slice(0, 3));
    const next = await body(
      await h.call(
        'GET',
        `/api/v1/builds/recent?jobset_id=${f.jobsetId}&limit=3&cursor=${first.next_cursor}`,
      ),
    );
    expect(next.items.map((b: { id: number }) => b.id)).toEqual(ids.slice(3));
    expect(next.next_cursor).toBeNull();
  });

  it('refuses offsets past 10,000, pointing to the cursor', async () => {
    const r = await h.call('GET', '/api/v1/builds?offset=10001');
    expect(r.status).toBe(400);
    expect((await body(r)).error.details.fields[0]).toMatchObject({ field: 'offset', in: 'query' });
    expect(JSON.stringify(await body(await h.call('GET', '/api/v1/evaluations?offset=10001')))).toContain(
      'cursor',
    );
    expect((await h.call('GET', '/api/v1/builds?offset=10000')).status).toBe(200);
  });

  it('counts up to 1,000 matches; past that the total is an estimate', async () => {
    const big = await insertFixture(h.db.pool, { builds: [{ job: 'seed', status: 0 }] });
    await h.db.pool.query(
      `INSERT INTO builds (project_id, jobset_id, evaluation_id, job, drv_path, system, finished, build_status)
       SELECT project_id, jobset_id, evaluation_id, 'many' || i, '/nix/store/' || md5(i::text) || '-many.drv',
         system, true, 0
       FROM builds, generate_series(1, 1100) i WHERE id = $1`,
      [big.buildIds[0]],
    );
    await h.db.pool.query('ANALYZE builds');
    const page = await body(await h.call('GET', `/api/v1/builds?jobset_id=${big.jobsetId}&limit=10`));
    expect(page.items).toHaveLength(10);
    expect(page.total_exact).toBe(false);
    expect(page.total).toBeGreaterThan(1000);
    const small = await body(await h.call('GET', `/api/v1/builds?jobset_id=${big.jobsetId}&job=seed`));
    expect(small).toMatchObject({ total: 1, total_exact: true, next_cursor: null });
  });

  it('filters evaluations by status and pages them by cursor', async () => {
    const other = await insertFixture(h.db.pool, { into: f, builds: [] });
    await h.db.pool.query(`UPDATE evaluations SET status = 'failed', error = 'boom' WHERE id = $1`, [
      other.evaluationId,
    ]);
    const third = await insertFixture(h.db.pool, { into: f, builds: [] });
    const all = await body(await h.call('GET', `/api/v1/evaluations?jobset_id=${f.jobsetId}&limit=2`));
    expect(all.items.map((e: { id: number }) => e.id)).toEqual([third.evaluationId, other.evaluationId]);
    expect(all).toMatchObject({ total: 3, total_exact: true, next_cursor: other.evaluationId });
    const rest = await body(
      await h.call('GET', `/api/v1/evaluations?jobset_id=${f.jobsetId}&limit=2&cursor=${all.next_cursor}`),
    );
    expect(rest.items.map((e: { id: number }) => e.id)).toEqual([f.evaluationId]);
    expect(rest.next_cursor).toBeNull();
    const failed = await body(
      await h.call('GET', `/api/v1/evaluations?jobset_id=${f.jobsetId}&status=failed`),
    );
    expect(failed.items.map((e: { id: number }) => e.id)).toEqual([other.evaluationId]);
    expect(failed.total).toBe(1);
    expect((await h.call('GET', '/api/v1/evaluations?status=great')).status).toBe(400);
  });
});

describe('channels', () => {
  it('creates, promotes (answering the successful outputs), lists and deletes', async () => {
    const f = await insertFixture(h.db.pool, {
      builds: [
        { job: 'good', status: 0, outputPath: '/nix/store/aaaa-good' },
        { job: 'bad', status: 1 },
      ],
    });
    const created = await h.call('POST', '/api/v1/channels', {
      key: admin,
      body: { jobset_id: f.jobsetId, name: 'stable' },
    });
    expect(created.status).toBe(201);
    const c = await body(created);
    expect(c).toMatchObject({ name: 'stable', evaluation_id: null, outputs: [] });
    expect(
      (
        await h.call('POST', '/api/v1/channels', {
          key: admin,
          body: { jobset_id: f.jobsetId, name: 'stable' },
        })
      ).status,
    ).toBe(409);
    const promoted = await body(
      await h.call('POST', `/api/v1/channels/${c.id}/promote`, {
        key: admin,
        body: { evaluation_id: f.evaluationId },
      }),
    );
    expect(promoted.evaluation_id).toBe(f.evaluationId);
    expect(promoted.outputs).toEqual([
      { build_id: f.buildIds[0], job: 'good', name: 'out', path: '/nix/store/aaaa-good' },
    ]);
    const other = await insertFixture(h.db.pool, { builds: [{ job: 'x', status: 0 }] });
    expect(
      (
        await h.call('POST', `/api/v1/channels/${c.id}/promote`, {
          key: admin,
          body: { evaluation_id: other.evaluationId },
        })
      ).status,
    ).toBe(400);
    const list = await body(await h.call('GET', `/api/v1/channels?jobset_id=${f.jobsetId}`));
    expect(list.total).toBe(1);
    expect((await h.call('GET', `/api/v1/channels/${c.id}`)).status).toBe(200);
    expect((await h.call('DELETE', `/api/v1/channels/${c.id}`, { key: admin })).status).toBe(204);
    expect((await h.call('GET', `/api/v1/channels/${c.id}`)).status).toBe(404);
  });
});

describe('search', () => {
  it('finds projects, jobsets, jobs and builds by name and by store path', async () => {
    const f = await insertFixture(h.db.pool, {
      project: 'searchable-proj',
      jobset: 'searchable-set',
      builds: [
        {
          job: 'pkgs.findme',
          status: 0,
          outputPath: '/nix/store/qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq-findme-1.0',
        },
      ],
    });
    const r = await body(await h.call('GET', '/api/v1/search?q=searchable'));
    expect(r.projects.map((p: { name: string }) => p.name)).toEqual(['searchable-proj']);
    expect(r.jobsets.map((j: { name: string }) => j.name)).toEqual(['searchable-set']);
    const jobs = await body(await h.call('GET', '/api/v1/search?q=findme'));
    expect(jobs.jobs).toEqual([
      expect.objectContaining({ job: 'pkgs.findme', jobset_id: f.jobsetId, latest_build_id: f.buildIds[0] }),
    ]);
    expect(jobs.builds.map((b: { id: number }) => b.id)).toEqual([f.buildIds[0]]);
    const byHash = await body(await h.call('GET', '/api/v1/search?q=qqqqqqqq'));
    expect(byHash.builds).toEqual([
      expect.objectContaining({
        id: f.buildIds[0],
        matched_output_path: '/nix/store/qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq-findme-1.0',
      }),
    ]);
    const build = await body(await h.call('GET', `/api/v1/builds/${f.buildIds[0]}`));
    const byDrv = await body(await h.call('GET', `/api/v1/search?q=${encodeURIComponent(build.drv_path)}`));
    expect(byDrv.builds.map((b: { id: number }) => b.id)).toEqual([f.buildIds[0]]);
    const quick = await body(await h.call('GET', '/api/v1/search/quick?q=findme'));
    expect(quick.jobs).toHaveLength(1);
    expect(quick.builds).toEqual([]);
    expect((await h.call('GET', '/api/v1/search?q=')).status).toBe(400);
    const pct = await body(await h.call('GET', '/api/v1/search?q=%25%25%25'));
    expect(pct).toEqual({ projects: [], jobsets: [], jobs: [], builds: [] });
  });
});

describe('admin', () => {
  it('manages remote builders and reports the system', async () => {
    const b = await h.call('POST', '/api/v1/admin/builders', {
      key: admin,
      body: { name: 'big', uri: 'ssh://nix@big', systems: ['x86_64-linux'], max_jobs: 8 },
    });
    expect(b.status).toBe(201);
    const builder = await body(b);
    expect(builder).toMatchObject({ name: 'big', max_jobs: 8, speed_factor: 1, enabled: true });
    expect(
      (
        await h.call('POST', '/api/v1/admin/builders', {
          key: admin,
          body: { name: 'big', uri: 'ssh://o', systems: ['x'] },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await h.call('POST', '/api/v1/admin/builders', {
          key: admin,
          body: { name: 'e', uri: 'u', systems: [] },
        })
      ).status,
    ).toBe(400);
    expect((await body(await h.call('GET', '/api/v1/admin/builders'))).total).toBe(1);
    expect(
      (
        await body(
          await h.call('PATCH', `/api/v1/admin/builders/${builder.id}`, {
            key: admin,
            body: { enabled: false },
          }),
        )
      ).enabled,
    ).toBe(false);
    expect((await h.call('GET', `/api/v1/admin/builders/${builder.id}`)).status).toBe(200);
    expect((await h.call('DELETE', `/api/v1/admin/builders/${builder.id}`, { key: admin })).status).toBe(204);
    expect((await h.call('GET', `/api/v1/admin/builders/${builder.id}`)).status).toBe(404);

    const sys = await body(await h.call('GET', '/api/v1/admin/system', { key: admin }));
    expect(sys.version).toBe('0.1.0');
    expect(sys.queues.map((q: { name: string }) => q.name)).toEqual([
      'evaluate-jobset',
      'build-derivation',
      'notify-build',
      'notify-evaluation',
    ]);
    expect(sys.counts.projects).toBeGreaterThan(0);
  });
});
