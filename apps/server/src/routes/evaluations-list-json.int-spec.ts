/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any */
// The evaluations list's items are written by PostgreSQL (listEvaluationsJson) when nothing in the
// page is to be hidden from the caller; otherwise the page is read the ordinary way. Either way each
// item must be what GET /api/v1/evaluations/{id} answers the same caller.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { insertFixture, type Fixture } from '../testing/build-fixtures';

let h: ApiHarness;
let admin: string;
/** A jobset whose evaluations hide nothing, and one with credentials and a secret input. */
let plain: Fixture;
let secret: Fixture;

async function json(path: string, key?: string): Promise<any> {
  const r = await h.call('GET', path, key === undefined ? {} : { key });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return r.json();
}

async function expectItemsAsTheirViews(page: any, key?: string): Promise<void> {
  for (const item of page.items) {
    expect(item).toStrictEqual(await json(`/api/v1/evaluations/${item.id}`, key));
  }
}

beforeAll(async () => {
  h = await startApiHarness(await createTestDatabase());
  admin = await h.key('admin');
  const db = h.db.pool;
  plain = await insertFixture(db, { builds: [{ job: 'a', status: 0 }] });
  await insertFixture(db, { into: plain, builds: [{ job: 'a', status: 1 }] });
  await db.query(
    `UPDATE evaluations SET input_revisions = '{"src": {"type": "git", "uri": "https://example.invalid/src.git",
       "revision": "abc", "depth": 1}, "flag": {"type": "boolean", "value": "true"}}',
       flake_url = 'github:owner/repo', error = 'some jobs failed', checkout_duration_ms = 12,
       eval_duration_ms = 345, phase = 'recording', forced = true,
       created_at = '2026-01-02 03:04:05.678901+00'
     WHERE jobset_id = $1`,
    [plain.jobsetId],
  );
  await db.query(
    `INSERT INTO evaluation_errors (evaluation_id, job, message)
     SELECT id, j, 'error: "' || j || '" failed' || E'\\n' FROM evaluations, unnest(ARRAY['b', 'a']) j
     WHERE jobset_id = $1`,
    [plain.jobsetId],
  );
  secret = await insertFixture(db, { builds: [{ job: 'a', status: 0 }] });
  await db.query(
    `INSERT INTO jobset_inputs (jobset_id, name, type, value, secret) VALUES ($1, 'token', 'string', 'hunter2', true)`,
    [secret.jobsetId],
  );
  await db.query(
    `UPDATE evaluations SET input_revisions = '{"token": {"type": "string", "value": "hunter2"},
       "src": {"type": "git", "uri": "https://user:pw@example.invalid/src.git", "revision": "def"}}',
       flake_url = 'git+https://user:pw@example.invalid/flake', error = 'fetching https://user:pw@example.invalid failed'
     WHERE jobset_id = $1`,
    [secret.jobsetId],
  );
});
afterAll(async () => {
  await h.close();
});

describe('the evaluations list written by PostgreSQL', () => {
  it('gives each evaluation as GET /api/v1/evaluations/{id} does, to anyone', async () => {
    const page = await json(`/api/v1/evaluations?jobset_id=${plain.jobsetId}`);
    expect(page.items).toHaveLength(2);
    await expectItemsAsTheirViews(page);
    expect(page.items[0]).toMatchObject({
      created_at: '2026-01-02T03:04:05.678Z',
      input_revisions: { src: { uri: 'https://example.invalid/src.git', depth: 1 } },
      errors: [
        { job: 'a', message: 'error: "a" failed\n' },
        { job: 'b', message: 'error: "b" failed\n' },
      ],
    });
    expect(page).toMatchObject({ total: 2, total_exact: true, next_cursor: null });
  });

  it('hides credentials and secret inputs from those who may not see them, and shows them to an admin', async () => {
    for (const key of [undefined, admin]) {
      const page = await json(`/api/v1/evaluations?jobset_id=${secret.jobsetId}`, key);
      expect(page.items).toHaveLength(1);
      await expectItemsAsTheirViews(page, key);
    }
    const anonymous = await json(`/api/v1/evaluations?jobset_id=${secret.jobsetId}`);
    expect(JSON.stringify(anonymous)).not.toContain('hunter2');
    expect(JSON.stringify(anonymous)).not.toContain('user:pw');
    const shown = await json(`/api/v1/evaluations?jobset_id=${secret.jobsetId}`, admin);
    expect(shown.items[0].flake_url).toBe('git+https://user:pw@example.invalid/flake');
  });

  it('pages by cursor and by offset', async () => {
    const first = await json(`/api/v1/evaluations?project_id=${plain.projectId}&limit=1`);
    expect(first.next_cursor).toBe(first.items[0].id);
    const second = await json(
      `/api/v1/evaluations?project_id=${plain.projectId}&limit=1&cursor=${first.next_cursor}`,
    );
    expect(second.items[0].id).toBeLessThan(first.items[0].id);
    expect(second.next_cursor).toBeNull();
    const byOffset = await json(`/api/v1/evaluations?project_id=${plain.projectId}&limit=1&offset=1`);
    expect(byOffset.items).toEqual(second.items);
    expect(byOffset.total).toBe(2);
  });
});
