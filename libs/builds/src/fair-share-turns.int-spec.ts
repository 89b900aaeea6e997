// The builder time fair sharing reads, against PostgreSQL and pg-boss's tables: a build that finishes
// adds its time to its jobset's hour, a claimed build counts from its claim up to now (before its
// runner has marked it started), time older than the window counts for nothing and is dropped, and
// the claim's turns put the jobset that used less first.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { listJobsetShares } from '@fc/db';
import {
  BUMPED_MIN_PRIORITY,
  QueueName,
  buildJobGroup,
  createBoss,
  ensureQueues,
  fetchGroupJob,
  type Boss,
} from '@fc/queue';
import { createTestDatabase, type TestDatabase } from '@fc/testing';
import { FAIR_SHARE_WINDOW_SECONDS } from './fair-share';
import { forgetOldBuilderTime, nextFairFetchTurns } from './fair-share-turns';
import { finishBuild } from './finish-build';
import { enqueueBuild } from './enqueue-build';
import { cancelBuild } from './queue-control';
import { startBuild } from './start-build';

describe('the builder time fair sharing reads', () => {
  let db: TestDatabase;
  let boss: Boss;

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    await ensureQueues(boss, { buildExpireSeconds: 600, buildRetryLimit: 2 });
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
  });

  /** A jobset with `n` queued builds; their ids. */
  async function jobsetWithBuilds(name: string, n: number): Promise<{ jobsetId: number; ids: number[] }> {
    const p = await db.pool.query<{ id: number }>(
      `INSERT INTO projects (name, repository_url) VALUES ($1, 'file:///dev/null') RETURNING id`,
      [name],
    );
    const j = await db.pool.query<{ id: number }>(
      `INSERT INTO jobsets (project_id, name, nix_expression) VALUES ($1, 'main', 'default.nix') RETURNING id`,
      [p.rows[0]!.id],
    );
    const e = await db.pool.query<{ id: number }>(
      `INSERT INTO evaluations (jobset_id, project_id, status) VALUES ($1, $2, 'succeeded') RETURNING id`,
      [j.rows[0]!.id, p.rows[0]!.id],
    );
    const b = await db.pool.query<{ id: number }>(
      `INSERT INTO builds (project_id, jobset_id, evaluation_id, job, drv_path, system)
       SELECT $1, $2, $3, 'job' || i, '/nix/store/' || md5($4 || i) || '-x.drv', 'x86_64-linux'
       FROM generate_series(1, $5::int) i ORDER BY i RETURNING id`,
      [p.rows[0]!.id, j.rows[0]!.id, e.rows[0]!.id, name, n],
    );
    return { jobsetId: Number(j.rows[0]!.id), ids: b.rows.map((r) => Number(r.id)) };
  }

  /** Starts the build as a queue runner does, `secondsAgo` back. */
  async function startedAgo(buildId: number, secondsAgo: number): Promise<void> {
    expect(await startBuild(db.pool, boss, buildId, 'spec:1')).toBe(true);
    await db.pool.query(`UPDATE builds SET started_at = now() - make_interval(secs => $2) WHERE id = $1`, [
      buildId,
      secondsAgo,
    ]);
  }

  /** Queues the build's job and claims it as a queue runner's claim does, `secondsAgo` back. */
  async function claimedAgo(jobsetId: number, buildId: number, secondsAgo: number): Promise<void> {
    await enqueueBuild(db.pool, boss, { id: buildId, priority: 100, globalPriority: 0, jobsetId });
    const job = await fetchGroupJob(boss.getDb(), QueueName.BuildDerivation, buildJobGroup(jobsetId).id);
    expect(job).toBeDefined();
    await db.pool.query(
      `UPDATE pgboss.job SET started_on = now() - make_interval(secs => $2) WHERE id = $1`,
      [job!.id, secondsAgo],
    );
  }

  const groupsInTurn = async () =>
    (await nextFairFetchTurns(db.pool)).flatMap((t) => ('group' in t ? [t.group] : []));

  const usedBy = async (jobsetId: number) =>
    (await listJobsetShares(db.pool, FAIR_SHARE_WINDOW_SECONDS)).find((s) => s.jobsetId === jobsetId);

  it('counts finished builds by their hour, not time past the window', async () => {
    const { jobsetId, ids } = await jobsetWithBuilds('used', 3);
    const [done, queued, cancelled] = ids as [number, number, number];
    await startedAgo(done, 90);
    expect(await finishBuild(db.pool, boss, done, { status: 0, errorMessage: null })).toBe(true);
    // A queued build cancelled used no builder.
    await cancelBuild(db.pool, boss, cancelled);
    // Time from two days ago, past the window.
    await db.pool.query(
      `INSERT INTO jobset_builder_time (jobset_id, hour, seconds)
       VALUES ($1, date_trunc('hour', now() - interval '2 days'), 5000)`,
      [jobsetId],
    );

    const share = await usedBy(jobsetId);
    expect(share).toMatchObject({ shares: 100, firstQueuedBuildId: queued });
    expect(share!.finishedSeconds).toBeGreaterThanOrEqual(90);
    expect(share!.finishedSeconds).toBeLessThan(95);
    const hours = await db.pool.query<{ seconds: number }>(
      `SELECT seconds FROM jobset_builder_time WHERE jobset_id = $1 AND hour > now() - interval '1 day'`,
      [jobsetId],
    );
    expect(hours.rows).toHaveLength(1);
    expect(hours.rows[0]!.seconds).toBeGreaterThanOrEqual(90);

    expect(await forgetOldBuilderTime(db.pool)).toBe(1);
    const left = await db.pool.query('SELECT 1 FROM jobset_builder_time WHERE jobset_id = $1', [jobsetId]);
    expect(left.rows).toHaveLength(1);
  });

  it('adds every finished build of a jobset to the same hour', async () => {
    const { jobsetId, ids } = await jobsetWithBuilds('hour', 3);
    for (const id of ids.slice(0, 2)) {
      await startedAgo(id, 10);
      await finishBuild(db.pool, boss, id, { status: 1, errorMessage: 'failed' });
    }
    const share = await usedBy(jobsetId);
    expect(share!.finishedSeconds).toBeGreaterThanOrEqual(20);
    expect(share!.finishedSeconds).toBeLessThan(25);
  });

  it('puts the jobset that used less builder time for its shares first', async () => {
    const heavy = await jobsetWithBuilds('heavy', 2);
    const light = await jobsetWithBuilds('light', 2);
    await startedAgo(heavy.ids[0]!, 600);
    await finishBuild(db.pool, boss, heavy.ids[0]!, { status: 0, errorMessage: null });
    await startedAgo(light.ids[0]!, 60);
    await finishBuild(db.pool, boss, light.ids[0]!, { status: 0, errorMessage: null });
    const turns = await nextFairFetchTurns(db.pool);
    expect(turns[0]).toEqual({ minPriority: BUMPED_MIN_PRIORITY });
    const groups = await groupsInTurn();
    expect(groups.indexOf(`jobset-${light.jobsetId}`)).toBeLessThan(
      groups.indexOf(`jobset-${heavy.jobsetId}`),
    );
  });

  it('counts a claimed build from its claim, before its runner marks it started', async () => {
    // Each has 2 queued builds left after one claim, and no finished time.
    const busy = await jobsetWithBuilds('busy', 3);
    const idle = await jobsetWithBuilds('idle', 3);
    await claimedAgo(busy.jobsetId, busy.ids[0]!, 300);
    // The older queued build would put `busy` first on a tie; 300 s of claim puts it last.
    const groups = await groupsInTurn();
    expect(groups.indexOf(`jobset-${idle.jobsetId}`)).toBeLessThan(groups.indexOf(`jobset-${busy.jobsetId}`));
    // Claimed just now, it already counts: a second at least.
    await claimedAgo(idle.jobsetId, idle.ids[0]!, 0);
    await claimedAgo(busy.jobsetId, busy.ids[1]!, 0);
    const again = await groupsInTurn();
    expect(again.indexOf(`jobset-${idle.jobsetId}`)).toBeLessThan(again.indexOf(`jobset-${busy.jobsetId}`));
  });
});
