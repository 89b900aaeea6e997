// The group claim against pg-boss's real tables: it takes the group's next job in pg-boss's order,
// reads it from fc_job_group_fetch_idx however many jobs of other groups are queued ahead of it, and
// leaves the job in a state pg-boss settles, retries and claims again like one it fetched itself.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '@fc/testing';
import { createBoss, ensureQueues, type Boss } from './boss';
import { GROUP_FETCH_INDEX, GROUP_FETCH_SQL, fetchGroupJob } from './group-fetch';
import { QueueName } from './job-registry';

const QUEUE = QueueName.BuildDerivation;
const BACKLOG = 20_000;
// pg-boss answers a settle with how many jobs it changed (its typings leave the field out).
const affected = (r: unknown) => (r as { affected: number }).affected;

describe('fetchGroupJob', () => {
  let db: TestDatabase;
  let boss: Boss;

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    await ensureQueues(boss, { buildExpireSeconds: 600, buildRetryLimit: 2 });
    // A backlog of one group queued first, at the same priority as everything below.
    await boss.insert(
      QUEUE,
      Array.from({ length: BACKLOG }, (_, i) => ({
        data: { buildId: i + 1 },
        priority: 100,
        group: { id: 'jobset-1' },
      })),
    );
    await db.pool.query('ANALYZE pgboss.job');
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
  });

  async function send(group: string, buildId: number, priority = 100, startAfter?: Date): Promise<string> {
    const id = await boss.send(
      QUEUE,
      { buildId },
      { priority, group: { id: group }, ...(startAfter ? { startAfter } : {}) },
    );
    return id!;
  }

  it('takes the group’s next job by priority, then age, and none of another group', async () => {
    const older = await send('jobset-2', 900_001);
    const urgent = await send('jobset-2', 900_002, 500);
    await send('jobset-2', 900_003);
    await send('jobset-2', 900_004, 100, new Date(Date.now() + 3_600_000));

    const first = await fetchGroupJob(boss.getDb(), QUEUE, 'jobset-2');
    const second = await fetchGroupJob(boss.getDb(), QUEUE, 'jobset-2');
    expect([first?.id, second?.id]).toEqual([urgent, older]);
    expect(first).toMatchObject({ data: { buildId: 900_002 }, retryCount: 0, retryLimit: 2 });
    expect((await fetchGroupJob(boss.getDb(), QUEUE, 'jobset-2'))?.data).toEqual({ buildId: 900_003 });
    // The last one waits for its start_after; a group with nothing queued has nothing to give.
    expect(await fetchGroupJob(boss.getDb(), QUEUE, 'jobset-2')).toBeUndefined();
    expect(await fetchGroupJob(boss.getDb(), QUEUE, 'jobset-3')).toBeUndefined();
    const job = await boss.getJobById(QUEUE, urgent);
    expect(job).toMatchObject({ state: 'active', groupId: 'jobset-2' });
  });

  it('hands a job to one of two concurrent claims only', async () => {
    const id = await send('jobset-4', 900_010);
    const claims = await Promise.all([
      fetchGroupJob(boss.getDb(), QUEUE, 'jobset-4'),
      fetchGroupJob(boss.getDb(), QUEUE, 'jobset-4'),
    ]);
    expect(claims.filter((c) => c?.id === id)).toHaveLength(1);
    expect(claims.filter((c) => c === undefined)).toHaveLength(1);
  });

  it('leaves a job pg-boss completes, or fails and retries as a later attempt', async () => {
    const done = await send('jobset-5', 900_020);
    const retried = await send('jobset-5', 900_021);
    const a = (await fetchGroupJob(boss.getDb(), QUEUE, 'jobset-5'))!;
    const b = (await fetchGroupJob(boss.getDb(), QUEUE, 'jobset-5'))!;
    expect([a.id, b.id]).toEqual([done, retried]);
    expect(affected(await boss.complete(QUEUE, { id: a.id, retryCount: a.retryCount }))).toBe(1);
    expect((await boss.getJobById(QUEUE, done))?.state).toBe('completed');
    await boss.fail(QUEUE, { id: b.id, retryCount: b.retryCount }, { message: 'machinery' });
    // pg-boss's retry delay: make the retry due now.
    await db.pool.query(`UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND id = $2`, [
      QUEUE,
      retried,
    ]);
    const again = (await fetchGroupJob(boss.getDb(), QUEUE, 'jobset-5'))!;
    expect(again).toMatchObject({ id: retried, retryCount: 1 });
    // The first attempt's settle no longer lands (pg-boss fences settles by attempt).
    expect(affected(await boss.complete(QUEUE, { id: b.id, retryCount: b.retryCount }))).toBe(0);
    expect(affected(await boss.complete(QUEUE, { id: again.id, retryCount: again.retryCount }))).toBe(1);
  });

  it(`reads the next job from ${GROUP_FETCH_INDEX}, not past the ${BACKLOG} jobs of the group ahead`, async () => {
    await send('jobset-6', 900_030);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${GROUP_FETCH_SQL}`,
        [QUEUE, 'jobset-6'],
      );
      const text = JSON.stringify(plan.rows[0]!['QUERY PLAN']);
      // The index on pg-boss's partitioned table is one index per partition.
      const parts = await client.query<{ relname: string }>(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'pgboss.${GROUP_FETCH_INDEX}'::regclass`,
      );
      const used = [...text.matchAll(/"Index Name":"(\w+)"/g)].map((m) => m[1]);
      expect(parts.rows.map((r) => r.relname).filter((n) => used.includes(n))).toHaveLength(1);
      expect(text).toContain("group_id = 'jobset-6'::text");
      const scanned = [...text.matchAll(/"Rows Removed by Filter":(\d+)/g)].map((m) => Number(m[1]));
      expect(Math.max(0, ...scanned)).toBe(0);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
