/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-explicit-any */
// The builds lists' items are written by PostgreSQL (listBuildsJson): each must be the Build that
// GET /api/v1/builds/{id} answers (toBuildView of the build read the ordinary way), for every kind
// of build: queued, running, each finished status, with outputs, products, metrics, constituents,
// a log, an error message quoting credentials, and fractional-second timestamps.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { BUILD_STATUS_CODES } from '@fc/core';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture, type Fixture } from '../testing/build-fixtures';

let h: ApiHarness;
let f: Fixture;

async function json(path: string): Promise<any> {
  const r = await h.call('GET', path);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return r.json();
}

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
  f = await insertFixture(h.db.pool, {
    builds: [
      { job: 'queued', status: 'queued' },
      { job: 'running', status: 'running' },
      ...BUILD_STATUS_CODES.map((code) => ({ job: `status-${code}`, status: code })),
      { job: 'aggregate', status: 0 },
    ],
  });
  const [queued, , succeeded, failed] = f.buildIds;
  const aggregate = f.buildIds.at(-1)!;
  const db = h.db.pool;
  await db.query(
    `UPDATE builds SET description = 'say "hi"\\n', license = 'MIT', homepage = 'https://example.invalid',
       maintainers = 'alice', size = 12345678901, closure_size = 98765, release_name = 'r-1', attempts = 2,
       keep = true, is_cached = true, priority = 7, global_priority = 3,
       created_at = '2026-01-02 03:04:05.678901+00', started_at = '2026-01-02 03:04:06.000999+00',
       stopped_at = '2026-01-02 03:05:00+00'
     WHERE id = $1`,
    [succeeded],
  );
  await db.query(
    `UPDATE builds SET error_message = 'fetching https://user:secret@example.invalid/x.git failed',
       log_path = '/var/log/fc/x.drv'
     WHERE id = $1`,
    [failed],
  );
  await db.query(`UPDATE builds SET error_message = 'no credentials here' WHERE id = $1`, [queued]);
  await db.query(
    `INSERT INTO build_outputs (build_id, name, path, nar_size) VALUES ($1, 'dev', '/nix/store/dev-output', 4096)`,
    [succeeded],
  );
  await db.query(
    `INSERT INTO build_products (build_id, product_nr, type, subtype, name, path, default_path, file_size, sha256)
     VALUES ($1, 1, 'file', 'source-dist', 'a.tar.gz', '/nix/store/dev-output/a.tar.gz', 'index.html', 1000, 'abc'),
            ($1, 2, 'doc', 'manual', 'manual', '/nix/store/dev-output/manual', NULL, NULL, NULL)`,
    [succeeded],
  );
  await db.query(
    `INSERT INTO build_metrics (build_id, name, value, unit, project_id, jobset_id, job)
     SELECT $1, m.name, m.value, m.unit, project_id, jobset_id, job
     FROM builds, (VALUES ('time', 1.5::float8, 's'), ('size', 1e20::float8, NULL)) m(name, value, unit) WHERE id = $1`,
    [succeeded],
  );
  await db.query(`UPDATE builds SET is_aggregate = true WHERE id = $1`, [aggregate]);
  await db.query(
    `INSERT INTO aggregate_constituents (aggregate_id, constituent_id) SELECT $1, unnest($2::bigint[])`,
    [aggregate, [succeeded, failed]],
  );
});
afterAll(async () => {
  await h.close();
});

describe('the builds lists written by PostgreSQL', () => {
  it('give each build as GET /api/v1/builds/{id} does', async () => {
    const page = await json(`/api/v1/builds?jobset_id=${f.jobsetId}&limit=100`);
    expect(page.items.map((b: any) => b.id)).toEqual([...f.buildIds].reverse());
    for (const item of page.items) expect(item).toStrictEqual(await json(`/api/v1/builds/${item.id}`));
    const failed = page.items.find((b: any) => b.id === f.buildIds[3]);
    expect(failed.error_message).toBe('fetching https://***@example.invalid/x.git failed');
    expect(page).toMatchObject({ total: f.buildIds.length, total_exact: true, next_cursor: null });
  });

  it('give a page without error messages to redact as PostgreSQL wrote it, the same as the view', async () => {
    const page = await json(`/api/v1/builds?jobset_id=${f.jobsetId}&status=succeeded`);
    const succeeded = page.items.find((b: any) => b.id === f.buildIds[2]);
    expect(succeeded).toStrictEqual(await json(`/api/v1/builds/${f.buildIds[2]}`));
    expect(succeeded.created_at).toBe('2026-01-02T03:04:05.678Z');
    expect(succeeded.started_at).toBe('2026-01-02T03:04:06.000Z');
    expect(succeeded.metrics).toEqual([
      { name: 'size', value: 1e20, unit: null },
      { name: 'time', value: 1.5, unit: 's' },
    ]);
  });

  it('page by cursor and by offset, and tell the next cursor', async () => {
    const first = await json(`/api/v1/builds?jobset_id=${f.jobsetId}&limit=3`);
    const ids = [...f.buildIds].reverse();
    expect(first.items.map((b: any) => b.id)).toEqual(ids.slice(0, 3));
    expect(first.next_cursor).toBe(ids[2]);
    const second = await json(`/api/v1/builds?jobset_id=${f.jobsetId}&limit=3&cursor=${first.next_cursor}`);
    expect(second.items.map((b: any) => b.id)).toEqual(ids.slice(3, 6));
    const byOffset = await json(`/api/v1/builds?jobset_id=${f.jobsetId}&limit=3&offset=3`);
    expect(byOffset.items).toEqual(second.items);
    const past = await json(`/api/v1/builds?jobset_id=${f.jobsetId}&limit=3&offset=1000`);
    expect(past).toEqual({
      items: [],
      total: ids.length,
      total_exact: true,
      limit: 3,
      offset: 1000,
      next_cursor: null,
    });
  });

  it('list recently finished builds by when they finished, the same builds as their views', async () => {
    const recent = await json(`/api/v1/builds/recent?jobset_id=${f.jobsetId}&limit=2`);
    expect(recent.items).toHaveLength(2);
    expect(recent.items.every((b: any) => b.finished)).toBe(true);
    for (const item of recent.items) expect(item).toStrictEqual(await json(`/api/v1/builds/${item.id}`));
    const next = await json(
      `/api/v1/builds/recent?jobset_id=${f.jobsetId}&limit=2&cursor=${recent.next_cursor}`,
    );
    expect(next.items[0].id).not.toBe(recent.items[1].id);
    const stopped = [...recent.items, ...next.items].map((b: any) => b.stopped_at as string);
    expect([...stopped].sort().reverse()).toEqual(stopped);
  });
});
