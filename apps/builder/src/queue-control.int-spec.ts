// fc-queue-runner end to end: cancel (queued and running), restart, bump order, compressed logs, two
// runners sharing one queue, a runner killed mid-build, and the SIGTERM drain.
import { createWriteStream, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { withTransaction } from '@fc/db';
import { bumpBuild, cancelBuild, restartBuild } from '@fc/builds';
import { createBoss, type Boss } from '@fc/queue';
import { createTestDatabase, startApp, type TestDatabase } from '@fc/testing';
import { createJobset, instantiate, queueBuilds, type Jobset } from './testing/build-fixture';
import {
  FIXTURE_JOBS,
  builderEnv,
  nixDaemonBuilding,
  pidsWithArgs,
  randomNonce,
  readBuild,
  waitForBuild,
  waitForBusyStep,
  sleep,
  waitUntil,
  readStoredLog,
  builderDirs,
} from './testing/builder-harness';

jest.setTimeout(120_000);

const created: string[] = [];

function tempDirs() {
  const dirs = builderDirs();
  created.push(dirs.logDir, dirs.rootsDir);
  return dirs;
}

afterAll(() => {
  // GC roots and logs go; work dirs (with each runner's log) stay for debugging.
  for (const d of created) rmSync(d, { recursive: true, force: true });
});

const exited = new WeakSet<ResultPromise>();

/** Starts fc-queue-runner; its log goes to a file beside the spec's temp dirs (kept for debugging). */
function startRunner(databaseUrl: string, extra: Record<string, string> = {}): ResultPromise {
  const dirs = tempDirs();
  const daemon = startApp('builder', [], { env: builderEnv(databaseUrl, dirs, extra) });
  daemon.stderr?.pipe(createWriteStream(join(dirs.workDir, 'fc-queue-runner.log')));
  void daemon.then(() => exited.add(daemon));
  return daemon;
}

async function stopDaemon(daemon: ResultPromise | undefined): Promise<void> {
  if (!daemon || exited.has(daemon)) return;
  daemon.kill('SIGTERM');
  await daemon;
}

describe('fc-queue-runner: cancel, restart, bump (one worker)', () => {
  let db: TestDatabase;
  let boss: Boss;
  let daemon: ResultPromise;
  let jobset: Jobset;
  const nonce = randomNonce();

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    jobset = await createJobset(db.pool);
    daemon = startRunner(db.url, { FC_LOGS__COMPRESS: 'true' });
  });

  afterAll(async () => {
    await stopDaemon(daemon);
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
  });

  let cancelledQueued: number;

  it('cancels a queued build (it never starts) and a running one (its Nix processes gone within 5 s)', async () => {
    const [sleeper, quick] = await Promise.all([
      instantiate(FIXTURE_JOBS, 'sleeper', { nonce }),
      instantiate(FIXTURE_JOBS, 'quick1', { nonce }),
    ]);
    const [running, queued] = await queueBuilds(db.pool, boss, jobset, [
      { job: 'sleeper', drv: sleeper },
      { job: 'quick1', drv: quick },
    ]);
    await waitForBusyStep(db.pool, running!);
    await withTransaction(db.pool, (tx) => cancelBuild(tx, boss, queued!));
    cancelledQueued = queued!;

    await waitUntil(() => pidsWithArgs('/bin/sleep', `3${nonce}`).length > 0, 10_000, 'the sleeper process');
    const nixDaemon = nixDaemonBuilding(sleeper.drvPath);
    expect(nixDaemon).toBeDefined();
    const t0 = Date.now();
    await withTransaction(db.pool, (tx) => cancelBuild(tx, boss, running!));
    await waitUntil(() => pidsWithArgs('/bin/sleep', `3${nonce}`).length === 0, 5_000, 'the sleeper to die');
    await waitUntil(
      () => !existsSync(`/proc/${nixDaemon}`),
      5_000 - (Date.now() - t0),
      'its nix-daemon session to exit',
    );
    expect(Date.now() - t0).toBeLessThan(5_000);

    const b = await readBuild(db.pool, running!);
    expect(b.buildStatus).toBe(4);
    await waitUntil(
      async () =>
        (await db.pool.query('SELECT 1 FROM build_steps WHERE build_id = $1 AND busy', [running]))
          .rowCount === 0,
      5_000,
      'the step to end',
    );
    const steps = await db.pool.query('SELECT status FROM build_steps WHERE build_id = $1', [running]);
    expect(steps.rows).toEqual([{ status: 4 }]);

    // The worker is free again; the cancelled queued build must still not run.
    await sleep(1500);
    const q = await readBuild(db.pool, queued!);
    expect(q).toMatchObject({ buildStatus: 4, attempts: 0, logPath: null });
    expect((await db.pool.query('SELECT 1 FROM build_steps WHERE build_id = $1', [queued])).rowCount).toBe(0);
    // Both cancels are reported as finishes, the queued build's too (no runner ever touched it).
    const notified = await db.pool.query<{ build_id: number }>(
      `SELECT DISTINCT (data->>'buildId')::int AS build_id FROM pgboss.job
       WHERE name = 'notify-build' AND data->>'event' = 'finished' AND (data->>'buildId')::int = ANY($1)
       ORDER BY 1`,
      [[running, queued]],
    );
    expect(notified.rows.map((r) => r.build_id)).toEqual([running!, queued!].sort((a, b) => a - b));
  });

  it('restarts a finished build under the same id', async () => {
    await withTransaction(db.pool, (tx) => restartBuild(tx, boss, cancelledQueued));
    const b = await waitForBuild(db.pool, cancelledQueued, (x) => x.finished);
    expect(b).toMatchObject({ id: cancelledQueued, buildStatus: 0, attempts: 1 });
    expect(b.errorMessage).toBeNull();
  });

  it('builds in Hydra order: bumped first, then schedulingPriority, then lower id; logs zstd-compressed', async () => {
    const n2 = randomNonce();
    const [short, ...quick] = await Promise.all(
      ['short', 'quick1', 'quick2', 'quick3', 'quick4'].map((a) =>
        instantiate(FIXTURE_JOBS, a, { nonce: n2 }),
      ),
    );
    const [shortId] = await queueBuilds(db.pool, boss, jobset, [{ job: 'short', drv: short! }]);
    await waitForBusyStep(db.pool, shortId!);
    const ids = await queueBuilds(db.pool, boss, jobset, [
      { job: 'quick1', drv: quick[0]! },
      { job: 'quick2', drv: quick[1]! },
      { job: 'quick3', drv: quick[2]! },
      { job: 'quick4', drv: quick[3]!, priority: 200 },
    ]);
    await withTransaction(db.pool, (tx) => bumpBuild(tx, boss, ids[2]!));
    const done = [];
    for (const id of ids) done.push(await waitForBuild(db.pool, id));
    const order = [...done].sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime()).map((b) => b.id);
    expect(order).toEqual([ids[2], ids[3], ids[0], ids[1]]);

    const s = await waitForBuild(db.pool, shortId!);
    expect(s.buildStatus).toBe(0);
    const log = await readStoredLog(db.pool, shortId!);
    expect(log.encodings).toEqual(['zstd']);
    expect(log.text).toContain('short-start');
    expect(log.text).toContain('short-end');
    expect(s.logSize).toBe(Buffer.byteLength(log.text));
    const step = await db.pool.query<{ step_nr: number }>(
      'SELECT step_nr FROM build_steps WHERE build_id = $1',
      [shortId],
    );
    expect((await readStoredLog(db.pool, shortId!, step.rows[0]!.step_nr)).text).toContain('short-end');
  });
});

describe('fc-queue-runner: two runners on one queue', () => {
  let db: TestDatabase;
  let boss: Boss;
  let jobset: Jobset;
  const runners: ResultPromise[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    jobset = await createJobset(db.pool);
    for (let i = 0; i < 2; i++) {
      runners.push(startRunner(db.url, { FC_QUEUE_RUNNER__WORKERS: '2' }));
    }
  });

  afterAll(async () => {
    for (const r of runners) await stopDaemon(r);
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
  });

  it('builds each build exactly once, spread over both runners', async () => {
    const nonce = randomNonce();
    const attrs = [
      'quick1',
      'quick2',
      'quick3',
      'quick4',
      'plainDir',
      'succeeds',
      'fails',
      'failedWithOutput',
    ];
    const drvs = await Promise.all(attrs.map((a) => instantiate(FIXTURE_JOBS, a, { nonce })));
    const ids = await queueBuilds(
      db.pool,
      boss,
      jobset,
      drvs.map((drv, i) => ({ job: attrs[i]!, drv })),
    );
    const builds = [];
    for (const id of ids) builds.push(await waitForBuild(db.pool, id));
    expect(builds.map((b) => b.attempts)).toEqual(ids.map(() => 1));
    expect(builds.map((b) => b.buildStatus)).toEqual([0, 0, 0, 0, 0, 0, 1, 6]);
    const steps = await db.pool.query<{ build_id: number; n: number }>(
      'SELECT build_id, count(*)::int AS n FROM build_steps WHERE build_id = ANY($1) GROUP BY build_id',
      [ids],
    );
    expect(steps.rows.every((r) => r.n === 1)).toBe(true);
    const notified = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'notify-build' AND (data->>'buildId')::int = ANY($1)",
      [ids],
    );
    expect(notified.rows[0]!.n).toBe(ids.length);
  });

  it('a runner SIGKILLed mid-build: the other runner picks the build up and finishes it', async () => {
    const nonce = randomNonce();
    const drv = await instantiate(FIXTURE_JOBS, 'short', { nonce });
    const [id] = await queueBuilds(db.pool, boss, jobset, [{ job: 'short', drv }]);
    await waitForBusyStep(db.pool, id!);
    await waitUntil(() => nixDaemonBuilding(drv.drvPath) !== undefined, 10_000, 'the short builder');
    const nixDaemon = nixDaemonBuilding(drv.drvPath)!;
    const ppid = Number(readFileSync(`/proc/${nixDaemon}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
    const victim = runners.find((r) => r.pid === ppid)!;
    expect(victim).toBeDefined();
    victim.kill('SIGKILL');
    await victim;
    exited.add(victim);
    const b = await waitForBuild(db.pool, id!, (x) => x.finished, 60_000);
    expect(b).toMatchObject({ buildStatus: 0, attempts: 2 });
  });

  it('SIGTERM drains: a running build finishes, a long one is handed back to the queue', async () => {
    const survivor = runners.find((r) => !exited.has(r))!;
    const nonce = randomNonce();
    const [short, sleeper] = await Promise.all([
      instantiate(FIXTURE_JOBS, 'short', { nonce }),
      instantiate(FIXTURE_JOBS, 'sleeper', { nonce }),
    ]);
    const [shortId, sleeperId] = await queueBuilds(db.pool, boss, jobset, [
      { job: 'short', drv: short },
      { job: 'sleeper', drv: sleeper },
    ]);
    await waitForBusyStep(db.pool, shortId!);
    await waitForBusyStep(db.pool, sleeperId!);
    const before = await db.pool.query<{ queue_job_id: string }>(
      'SELECT queue_job_id FROM builds WHERE id = $1',
      [sleeperId],
    );
    // Straight to the process: execa's kill() would SIGKILL it 5 s later, before the drain ends.
    process.kill(survivor.pid!, 'SIGTERM');
    const r = await survivor;
    expect(r.exitCode).toBe(0);
    expect(await readBuild(db.pool, shortId!)).toMatchObject({ buildStatus: 0, attempts: 1 });
    const handed = await readBuild(db.pool, sleeperId!);
    expect(handed).toMatchObject({ finished: false, startedAt: null, attempts: 0 });
    expect(pidsWithArgs('/bin/sleep', `3${nonce}`)).toEqual([]);
    const after = await db.pool.query<{ queue_job_id: string; state: string }>(
      `SELECT b.queue_job_id, j.state FROM builds b JOIN pgboss.job j ON j.id::text = b.queue_job_id WHERE b.id = $1`,
      [sleeperId],
    );
    expect(after.rows[0]!.queue_job_id).not.toBe(before.rows[0]!.queue_job_id);
    expect(after.rows[0]!.state).toBe('created');
    await withTransaction(db.pool, (tx) => cancelBuild(tx, boss, sleeperId!));
  });
});
