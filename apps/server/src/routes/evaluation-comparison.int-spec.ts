// The evaluation comparison and the evaluation-wide cancel and bump, through the API.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture } from '../testing/build-fixtures';

let h: ApiHarness;
let admin: string;

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
  admin = await h.key('admin');
});
afterAll(async () => {
  await h.close();
});

async function body(r: Response): Promise<Record<string, unknown>> {
  return (await r.json()) as Record<string, unknown>;
}

describe('evaluation comparison', () => {
  it("groups the builds against the jobset's previous evaluation as Hydra does", async () => {
    const first = await insertFixture(h.db.pool, {
      builds: [
        { job: 'fixed', status: 1 },
        { job: 'broken', status: 0 },
        { job: 'gone', status: 0 },
      ],
    });
    const second = await insertFixture(h.db.pool, {
      into: first,
      builds: [
        { job: 'fixed', status: 0 },
        { job: 'broken', status: 1 },
        { job: 'added', status: 'queued' },
        { job: 'stopped', status: 4 },
      ],
    });
    const r = await h.call('GET', `/api/v1/evaluations/${second.evaluationId}/comparison`);
    expect(r.status).toBe(200);
    const c = await body(r);
    const jobs = (k: string) => (c[k] as { job: string }[]).map((b) => b.job);
    expect(c['previous_evaluation_id']).toBe(first.evaluationId);
    expect(jobs('now_fail')).toEqual(['broken']);
    expect(jobs('now_succeed')).toEqual(['fixed']);
    expect(jobs('new')).toEqual(['added']);
    expect(jobs('aborted')).toEqual(['stopped']);
    expect(c['removed']).toEqual([{ job: 'gone', system: 'x86_64-linux' }]);
    expect([c['total_failed'], c['total_aborted'], c['total_queued']]).toEqual([1, 1, 1]);
    const firstOne = await body(await h.call('GET', `/api/v1/evaluations/${first.evaluationId}/comparison`));
    expect(firstOne['previous_evaluation_id']).toBeNull();
    expect((await h.call('GET', '/api/v1/evaluations/999999/comparison')).status).toBe(404);
  });

  it("bumps and cancels an evaluation's queued and running builds as Hydra does, and leaves finished ones alone", async () => {
    const f = await insertFixture(h.db.pool, {
      builds: [
        { job: 'a', status: 'queued' },
        { job: 'b', status: 'queued' },
        { job: 'building', status: 'running' },
        { job: 'done', status: 0 },
      ],
    });
    const [a, b, running] = f.buildIds as [number, number, number];
    const bumped = await h.call('POST', `/api/v1/evaluations/${f.evaluationId}/bump`, { key: admin });
    expect(await body(bumped)).toEqual({ bumped: [a, b, running] });
    const priorities = await h.db.pool.query(
      'SELECT global_priority FROM builds WHERE id = ANY($1) ORDER BY id',
      [[a, b]],
    );
    expect(priorities.rows.every((row: { global_priority: number }) => row.global_priority > 0)).toBe(true);
    // Hydra's eval cancel takes every unfinished build, the running one too.
    const cancelled = await h.call('POST', `/api/v1/evaluations/${f.evaluationId}/cancel`, { key: admin });
    expect(await body(cancelled)).toEqual({ cancelled: [a, b, running] });
    const rows = await h.db.pool.query(
      'SELECT finished, build_status FROM builds WHERE id = ANY($1) ORDER BY id',
      [f.buildIds],
    );
    expect(rows.rows).toEqual([
      { finished: true, build_status: 4 },
      { finished: true, build_status: 4 },
      { finished: true, build_status: 4 },
      { finished: true, build_status: 0 },
    ]);
    const again = await h.call('POST', `/api/v1/evaluations/${f.evaluationId}/cancel`, { key: admin });
    expect(await body(again)).toEqual({ cancelled: [] });
  });
});
