// /queue, /builds, /job/... and /channels through HTTP on fixture builds: the queue in the order the
// runners take it, running builds with machine and runner, filters and keyset pages, the job's
// history and latest successful build, channel promotion and who sees its form.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture, type Fixture } from '../testing/build-fixtures';

describe('the build list pages', () => {
  let h: ApiHarness;
  let f: Fixture;
  let admin: string;

  const page = async (path: string, key?: string) => {
    const r = await h.call('GET', path, { headers: { accept: 'text/html' }, ...(key ? { key } : {}) });
    expect([path, r.status]).toEqual([path, 200]);
    return r.text();
  };
  const buildIdsIn = (html: string) =>
    [...html.matchAll(/href="\/build\/(\d+)">#/g)].map((m) => Number(m[1]));

  beforeAll(async () => {
    h = await startApiHarness(await createTestDatabase());
    admin = await h.key('admin');
    f = await insertFixture(h.pool, {
      project: 'lists',
      builds: [
        { job: 'low', status: 'queued' },
        { job: 'high', status: 'queued' },
        { job: 'bumped', status: 'queued' },
        { job: 'plain', status: 'queued' },
        { job: 'hello', status: 0 },
        { job: 'hello', status: 1 },
        { job: 'hello', status: 0, system: 'aarch64-linux' },
        { job: 'building', status: 'running' },
      ],
    });
    const [low, high, bumped, , ok1, failed, ok2, running] = f.buildIds;
    await h.pool.query('UPDATE builds SET priority = 50 WHERE id = $1', [low]);
    await h.pool.query('UPDATE builds SET priority = 200 WHERE id = $1', [high]);
    await h.pool.query('UPDATE builds SET global_priority = 1 WHERE id = $1', [bumped]);
    await h.pool.query(
      `UPDATE builds SET started_at = now() - interval '10 seconds', stopped_at = now(), size = 1048576 * b.n
       FROM (VALUES ($1::bigint, 1), ($2::bigint, 2), ($3::bigint, 3)) AS b(id, n) WHERE builds.id = b.id`,
      [ok1, failed, ok2],
    );
    await h.pool.query(`UPDATE builds SET runner = 'runner-host (pid 42)' WHERE id = $1`, [running]);
    await h.pool.query(
      `INSERT INTO build_steps (build_id, step_nr, type, drv_path, system, busy, machine, start_time)
       SELECT id, 1, 0, drv_path, system, true, 'ssh://big.example', now() FROM builds WHERE id = $1`,
      [running],
    );
  });

  afterAll(async () => {
    await h?.close();
  });

  it('/queue lists queued builds bumped first, then by priority, then by id; running ones with machine and runner', async () => {
    const [low, high, bumped, plain, , , , running] = f.buildIds;
    const html = await page('/queue');
    const queued = html.slice(html.indexOf('id="queued"'));
    expect(buildIdsIn(queued)).toEqual([bumped, high, plain, low]);
    const runningPart = html.slice(html.indexOf('id="running"'), html.indexOf('id="queued"'));
    expect(buildIdsIn(runningPart)).toEqual([running]);
    expect(runningPart).toContain('<td>ssh://big.example</td><td>runner-host (pid 42)</td>');
    expect(runningPart).toMatch(/<time title="since [^"]+">\d+s<\/time>/);
  });

  it('/builds filters by status, system, job, project and jobset, and pages by id', async () => {
    const [, , , , ok1, failed, ok2] = f.buildIds;
    expect(buildIdsIn(await page('/builds?status=succeeded'))).toEqual([ok2, ok1]);
    expect(buildIdsIn(await page('/builds?status=failed&job=hello'))).toEqual([failed]);
    expect(buildIdsIn(await page('/builds?system=aarch64-linux'))).toEqual([ok2]);
    expect(buildIdsIn(await page(`/builds?project=${f.projectId}&jobset=main&job=hello`))).toEqual([
      ok2,
      failed,
      ok1,
    ]);
    const all = buildIdsIn(await page('/builds'));
    expect(all).toEqual([...f.buildIds].reverse());
    const older = await page(`/builds?before=${f.buildIds[4]}`);
    expect(buildIdsIn(older)).toEqual(f.buildIds.slice(0, 4).reverse());
    expect(older).toContain('href="/builds">← Newest</a>');
    expect(
      (await h.call('GET', '/builds?status=nonsense', { headers: { accept: 'text/html' } })).status,
    ).toBe(400);
    const missing = await h.call('GET', `/builds?project=${f.projectId}&jobset=nope`, {
      headers: { accept: 'text/html' },
    });
    expect(missing.status).toBe(404);
  });

  it('/builds lists the builds of one evaluation', async () => {
    const other = await insertFixture(h.pool, { into: f, builds: [{ job: 'later', status: 0 }] });
    expect(buildIdsIn(await page(`/builds?evaluation=${other.evaluationId}`))).toEqual(other.buildIds);
    expect(buildIdsIn(await page(`/builds?evaluation=${f.evaluationId}&status=queued`))).toEqual(
      f.buildIds.slice(0, 4).reverse(),
    );
  });

  it('/evaluations filters by status with the same service as the API, and pages by id', async () => {
    const failed = await insertFixture(h.pool, { into: f, builds: [] });
    await h.pool.query(`UPDATE evaluations SET status = 'failed', error = 'boom' WHERE id = $1`, [
      failed.evaluationId,
    ]);
    const evaluationIdsIn = (html: string) =>
      [...html.matchAll(/href="\/eval\/(\d+)">#/g)].map((m) => Number(m[1]));
    const html = await page('/evaluations?project=lists&status=failed');
    expect(evaluationIdsIn(html)).toEqual([failed.evaluationId]);
    expect(html).toContain('<option value="failed" selected>');
    expect(html).toContain('1 evaluation<');
    const succeeded = evaluationIdsIn(await page('/evaluations?project=lists&status=succeeded'));
    expect(succeeded).toContain(f.evaluationId);
    expect(succeeded).not.toContain(failed.evaluationId);
    // Every status of the project's evaluations, newest first; an empty status is no filter.
    const all = evaluationIdsIn(await page('/evaluations?project=lists&status='));
    expect(all[0]).toBe(failed.evaluationId);
    expect(all).toContain(f.evaluationId);
    const older = await page(`/evaluations?project=lists&before=${failed.evaluationId}`);
    expect(evaluationIdsIn(older)).not.toContain(failed.evaluationId);
    expect(older).toContain('← Newest</a>');
    const bad = await h.call('GET', '/evaluations?status=great', { headers: { accept: 'text/html' } });
    expect(bad.status).toBe(400);
  });

  it("keeps big evaluations' pages bounded: the jobset matrix shows 100 jobs, each evaluation group 100 builds", async () => {
    const big = await insertFixture(h.pool, { project: 'big', builds: [{ job: 'aaa', status: 0 }] });
    await h.pool.query(
      `INSERT INTO builds (project_id, jobset_id, evaluation_id, job, drv_path, system, finished, build_status)
       SELECT project_id, jobset_id, evaluation_id, 'm' || lpad(i::text, 3, '0'),
         '/nix/store/' || md5('big' || i) || '-m.drv', system, true, 0
       FROM builds, generate_series(1, 120) i WHERE id = $1`,
      [big.buildIds[0]],
    );
    const jobset = await page('/jobset/big/main');
    const matrix = jobset.slice(
      jobset.indexOf('class="fc-matrix"'),
      jobset.indexOf('</table>', jobset.indexOf('class="fc-matrix"')),
    );
    const rows = [...matrix.matchAll(/<tr>\s*<td><a href="\/job\/big\/main\/([^"]+)"/g)].map((m) => m[1]);
    expect(rows).toHaveLength(100);
    expect(rows.slice(0, 3)).toEqual(['aaa', 'm001', 'm002']);
    expect(jobset).toContain('The first 100 jobs by name');
    const evaluation = await page(`/eval/${big.evaluationId}`);
    const group = evaluation.slice(evaluation.indexOf('id="new"'));
    expect(group).toContain('New jobs (121)');
    expect(buildIdsIn(group.slice(0, group.indexOf('</section>')))).toHaveLength(50);
    expect(group).toContain(
      `<a href="/builds?evaluation=${big.evaluationId}">all builds of the evaluation</a>`,
    );
  });

  it('/job shows the job history with its chart data; /latest goes to the latest successful build', async () => {
    const [, , , , ok1, failed, ok2] = f.buildIds;
    const html = await page('/job/lists/main/hello');
    expect(buildIdsIn(html)).toEqual([ok2, failed, ok1]);
    const points = JSON.parse(/data-points="([^"]*)"/.exec(html)![1]!.replace(/&#34;/g, '"')) as {
      id: number;
      seconds: number;
      size: number;
    }[];
    expect(points.map((p) => [p.id, p.size])).toEqual([
      [ok1, 1048576],
      [failed, 2097152],
      [ok2, 3145728],
    ]);
    expect(points.every((p) => p.seconds >= 9)).toBe(true);
    const latest = await h.call('GET', '/job/lists/main/hello/latest', { redirect: 'manual' });
    expect(latest.status).toBe(303);
    expect(latest.headers.get('location')).toBe(`/build/${ok2}`);
    // Hydra's other latest links, and whatever follows them, as bookmarks have them.
    const location = async (path: string) => {
      const r = await h.call('GET', path, { redirect: 'manual' });
      expect([path, r.status]).toEqual([path, 303]);
      return r.headers.get('location');
    };
    expect(await location('/job/lists/main/hello/latest/download/1/a%20b.iso')).toBe(
      `/build/${ok2}/download/1/a%20b.iso`,
    );
    expect(await location('/job/lists/main/hello/latest-for/x86_64-linux')).toBe(`/build/${ok1}`);
    expect(await location('/job/lists/main/hello/latest-for/aarch64-linux/log')).toBe(`/build/${ok2}/log`);
    // latest-finished: only an evaluation none of whose builds is still queued or running counts.
    const unfinished = await h.call('GET', '/job/lists/main/hello/latest-finished', {
      headers: { accept: 'text/html' },
    });
    expect(unfinished.status).toBe(404);
    expect(await unfinished.text()).toContain('has no successful build in a finished evaluation');
    const done = await insertFixture(h.pool, { project: 'finished', builds: [{ job: 'hello', status: 0 }] });
    expect(await location('/job/finished/main/hello/latest-finished')).toBe(`/build/${done.buildIds[0]}`);
    expect(
      (await h.call('GET', '/job/lists/main/low/latest', { headers: { accept: 'text/html' } })).status,
    ).toBe(404);
    expect((await h.call('GET', '/job/lists/nope/hello', { headers: { accept: 'text/html' } })).status).toBe(
      404,
    );
  });

  it('/evaluations shows a running evaluation with its phase, filtered by project and jobset', async () => {
    const running = await insertFixture(h.pool, { project: 'evaluating', builds: [] });
    await h.pool.query(
      `UPDATE evaluations SET status = 'running', phase = 'evaluating', finished_at = NULL WHERE id = $1`,
      [running.evaluationId],
    );
    const html = await page('/evaluations?project=evaluating&jobset=main');
    expect(html).toContain('<title>Evaluations of evaluating:main · FC</title>');
    expect(html).toContain(`data-status="running">Running</span> <small class="fc-phase">evaluating</small>`);
    expect([...html.matchAll(/href="\/eval\/(\d+)"/g)].map((m) => Number(m[1]))).toEqual([
      running.evaluationId,
    ]);
    expect(await page(`/eval/${running.evaluationId}`)).toContain(
      '<span class="fc-phase" id="evaluation-phase">phase: evaluating</span>',
    );
  });

  it('/project/{name} and /project/{id} show the same project; a name made of digits is a name first', async () => {
    const byName = await page('/project/lists');
    expect(byName).toContain('<title>Project lists · FC</title>');
    expect(await page(`/project/${f.projectId}`)).toContain('<title>Project lists · FC</title>');
    expect(byName).toContain('href="/jobset/lists/main"');
    const digits = await insertFixture(h.pool, { project: String(f.projectId), builds: [] });
    expect(await page(`/project/${f.projectId}`)).toContain(`<title>Project ${f.projectId} · FC</title>`);
    expect(await page(`/project/${digits.projectId}`)).toContain(
      `<title>Project ${f.projectId} · FC</title>`,
    );
    const missing = await h.call('GET', '/project/999999', { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
  });

  it('/channels shows each channel and its evaluation; the promote form is for those who may use it', async () => {
    const channel = await h.call('POST', '/api/v1/channels', {
      key: admin,
      body: { jobset_id: f.jobsetId, name: 'stable' },
    });
    expect(channel.status).toBe(201);
    const { id } = (await channel.json()) as { id: number };
    expect(await page('/channels')).not.toContain(`action="/channels/${id}/promote"`);
    const asAdmin = await page('/channels', admin);
    expect(asAdmin).toContain(`action="/channels/${id}/promote"`);
    const promoted = await h.call('POST', `/channels/${id}/promote`, {
      key: admin,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: `evaluation=${f.evaluationId}`,
    });
    expect(promoted.status).toBe(200);
    expect(await page('/channels')).toContain(`<a href="/eval/${f.evaluationId}">${f.evaluationId}</a>`);
    const readOnly = await h.key('read-only');
    expect((await h.call('POST', `/channels/${id}/promote`, { key: readOnly })).status).toBe(403);
  });
});
