// A 60 s database outage for FC's daemons (a TCP proxy between them and PostgreSQL, cut and
// restored; PostgreSQL itself serves other specs and is never stopped): the builds running through it
// keep running, and their logs, steps and results are recorded once the database answers again,
// exactly once and as they were (never "cached" with an empty log, never run twice); claims and
// heartbeats recover; fc-evaluator and fc-server stay up and work again afterwards.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import type { Queryable } from '@fc/db';
import { createBoss, requestEvaluation, type Boss } from '@fc/queue';
import {
  createTestDatabase,
  freePort,
  startApp,
  startTcpProxy,
  waitForLogRecord,
  type TcpProxy,
  type TestDatabase,
} from '@fc/testing';
import { createJobset, instantiate, queueBuilds, type Jobset } from './testing/build-fixture';
import {
  FIXTURE_JOBS,
  builderEnv,
  randomNonce,
  readBuild,
  readStoredLog,
  sleep,
  waitForBuild,
  waitForBusyStep,
  waitUntil,
} from './testing/builder-harness';

jest.setTimeout(420_000);

const OUTAGE_MS = 60_000;
const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const GIT = ['-c', 'user.name=FC', '-c', 'user.email=fc@example.invalid', '-c', 'commit.gpgsign=false'];

/** A git repository holding release.nix; returns its path. */
function gitRepo(releaseNix: string): string {
  const dir = temp('fc-outage-repo-');
  execFileSync('git', [...GIT, 'init', '--quiet', '--initial-branch=main', dir]);
  writeFileSync(join(dir, 'release.nix'), releaseNix);
  execFileSync('git', [...GIT, '-C', dir, 'add', '--all']);
  execFileSync('git', [...GIT, '-C', dir, 'commit', '--quiet', '-m', 'jobs']);
  return dir;
}

/** A jobset of `releaseNix` in its own git repository; returns its id. */
async function gitJobset(db: Queryable, name: string, releaseNix: string): Promise<number> {
  const p = await db.query<{ id: number }>(
    `INSERT INTO projects (name, repository_url) VALUES ($1, $2) RETURNING id`,
    [name, `file://${gitRepo(releaseNix)}`],
  );
  const j = await db.query<{ id: number }>(
    `INSERT INTO jobsets (project_id, name, nix_expression, check_interval) VALUES ($1, 'main', 'release.nix', 0)
     RETURNING id`,
    [p.rows[0]!.id],
  );
  return Number(j.rows[0]!.id);
}

/** A job's derivation; `extra` adds attributes (a slow one makes the evaluation slow). */
const job = (name: string, extra = '') => `derivation {
  name = "${name}";
  system = builtins.currentSystem;
  builder = "/bin/sh";
  args = [ "-c" "echo ${name} > $out" ];
  ${extra}
}`;

interface EvaluationRow {
  id: number;
  status: string;
  phase: string | null;
  nr_builds: number | null;
}

async function evaluationsOf(db: Queryable, jobsetId: number): Promise<EvaluationRow[]> {
  return (
    await db.query<EvaluationRow>(
      'SELECT id, status, phase, nr_builds FROM evaluations WHERE jobset_id = $1 ORDER BY id',
      [jobsetId],
    )
  ).rows;
}

interface BuildJobRow {
  state: string;
  retry_count: number;
}

async function buildJobOf(db: Queryable, buildId: number): Promise<BuildJobRow> {
  const r = await db.query<BuildJobRow>(
    `SELECT j.state, j.retry_count FROM builds b JOIN pgboss.job j ON j.id::text = b.queue_job_id
     WHERE b.id = $1`,
    [buildId],
  );
  return r.rows[0]!;
}

function occurrences(text: string, line: string): number {
  return text.split('\n').filter((l) => l === line).length;
}

describe('a 60 s database outage', () => {
  let db: TestDatabase;
  let boss: Boss;
  let proxy: TcpProxy;
  let jobset: Jobset;
  let port: number;
  const daemons: { name: string; process: ResultPromise; exited: boolean }[] = [];
  const dirs: string[] = [];

  function start(name: 'builder' | 'evaluator' | 'server', env: Record<string, string>): ResultPromise {
    const logDir = temp(`fc-outage-${name}-`);
    const process = startApp(name, [], { env });
    process.stderr?.pipe(createWriteStream(join(logDir, `${name}.log`)));
    const entry = { name, process, exited: false };
    void process.then(() => (entry.exited = true));
    daemons.push(entry);
    return process;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false, maxConnections: 2 });
    // PostgreSQL is shared: a connection refused for too many clients must not end the spec.
    boss.on('error', () => undefined);
    await boss.start();
    const target = new URL(db.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    jobset = await createJobset(db.pool);
    const url = proxy.through(db.url);
    const small = { FC_DATABASE__MAX_CONNECTIONS: '4' };
    const runnerDirs = {
      logDir: temp('fc-outage-logs-'),
      rootsDir: temp('fc-outage-roots-'),
      workDir: temp('fc-outage-work-'),
    };
    dirs.push(runnerDirs.logDir, runnerDirs.rootsDir);
    const runner = start('builder', builderEnv(url, runnerDirs, { ...small, FC_QUEUE_RUNNER__WORKERS: '3' }));
    const evaluator = start('evaluator', {
      ...small,
      FC_DATABASE__URL: url,
      FC_DATABASE__MIN_CONNECTIONS: '0',
      FC_LOGS__LEVEL: 'debug',
      FC_EVALUATOR__POLL_INTERVAL: '1',
      FC_EVALUATOR__WORK_DIR: temp('fc-outage-eval-'),
      FC_EVALUATOR_HEARTBEAT_MS: '1000',
    });
    port = await freePort();
    const server = start('server', {
      ...small,
      FC_DATABASE__URL: url,
      FC_DATABASE__MIN_CONNECTIONS: '0',
      FC_SERVER__HOST: '127.0.0.1',
      FC_SERVER__PORT: String(port),
      FC_SERVER__SESSION_SECRET: 'database-outage-spec',
    });
    await Promise.all([
      waitForLogRecord(runner, (r) => r.message === 'ready', 'ready', 60_000),
      waitForLogRecord(evaluator, (r) => r.message === 'ready', 'ready', 60_000),
      waitForLogRecord(server, (r) => r.message === 'listening', 'listening', 60_000),
    ]);
  });

  afterAll(async () => {
    proxy?.restore();
    for (const d of daemons) {
      if (!d.exited) {
        process.kill(d.process.pid!, 'SIGTERM');
        await d.process;
      }
    }
    await proxy?.close();
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('running builds keep running and are recorded once, as they ended; the daemons stay up and recover', async () => {
    const nonce = randomNonce();
    const [outlasting, endsInOutage, failsInOutage] = await Promise.all(
      ['outlasting', 'endsInOutage', 'failsInOutage'].map((a) => instantiate(FIXTURE_JOBS, a, { nonce })),
    );
    const [outlastingId, endsId, failsId] = (await queueBuilds(db.pool, boss, jobset, [
      { job: 'outlasting', drv: outlasting! },
      { job: 'endsInOutage', drv: endsInOutage! },
      { job: 'failsInOutage', drv: failsInOutage! },
    ])) as [number, number, number];
    for (const id of [outlastingId, endsId, failsId]) await waitForBusyStep(db.pool, id);

    // An evaluation in flight when the database goes: long enough to evaluate that it records during
    // the outage.
    const slow = `builtins.foldl' (a: x: a + builtins.stringLength (builtins.toJSON (builtins.genList (i: i) 50))) 0 (builtins.genList (i: i) 1000000)`;
    const inFlight = await gitJobset(
      db.pool,
      `outage-in-flight-${nonce}`,
      `{ slow = ${job(`outage-slow-${nonce}`, `n = toString (${slow});`)}; }`,
    );
    await requestEvaluation(db.pool, boss, { jobsetId: inFlight, force: false, reason: 'api' });
    await waitUntil(
      async () => (await evaluationsOf(db.pool, inFlight)).some((e) => e.phase === 'evaluating'),
      30_000,
      'the evaluation to be evaluating',
    );

    proxy.cut();
    const cutAt = Date.now();
    // fc-server answers, with 503, while it cannot reach the database.
    const during = await fetch(`http://127.0.0.1:${port}/api/v1/builds/${outlastingId}`);
    expect(during.status).toBe(503);
    // An evaluation asked for while FC cannot reach the database (through PostgreSQL directly).
    const askedDuring = await gitJobset(
      db.pool,
      `outage-asked-${nonce}`,
      `{ a = ${job(`outage-asked-${nonce}`)}; }`,
    );
    await requestEvaluation(db.pool, boss, { jobsetId: askedDuring, force: false, reason: 'api' });
    await sleep(OUTAGE_MS - (Date.now() - cutAt));
    // The two short builds ended during the outage; the long one still runs.
    expect((await readBuild(db.pool, outlastingId)).finished).toBe(false);
    proxy.restore();
    const restoredAt = new Date();

    // Heartbeats recover: the long build's job is refreshed while it still runs, and stays claimed.
    await waitUntil(
      async () =>
        (
          await db.pool.query(
            `SELECT 1 FROM builds b JOIN pgboss.job j ON j.id::text = b.queue_job_id
             WHERE b.id = $1 AND j.state = 'active' AND j.heartbeat_on > $2`,
            [outlastingId, restoredAt],
          )
        ).rowCount === 1,
      20_000,
      "the long build's heartbeat after the outage",
    );
    // Claims recover: a build queued after the outage is built.
    const after = await instantiate(FIXTURE_JOBS, 'quick1', { nonce });
    const [afterId] = (await queueBuilds(db.pool, boss, jobset, [{ job: 'quick1', drv: after }])) as [number];
    expect(await waitForBuild(db.pool, afterId, (b) => b.finished, 60_000)).toMatchObject({ buildStatus: 0 });

    const ends = await waitForBuild(db.pool, endsId, (b) => b.finished, 60_000);
    const fails = await waitForBuild(db.pool, failsId, (b) => b.finished, 60_000);
    const outlasted = await waitForBuild(db.pool, outlastingId, (b) => b.finished, 120_000);
    expect(ends).toMatchObject({ buildStatus: 0, isCached: false, attempts: 1 });
    expect(fails).toMatchObject({ buildStatus: 1, isCached: false, attempts: 1 });
    expect(outlasted).toMatchObject({ buildStatus: 0, isCached: false, attempts: 1 });
    // Each ran once: one attempt of its job, one step, each line of its log once.
    for (const id of [outlastingId, endsId, failsId]) {
      expect(await buildJobOf(db.pool, id)).toEqual({ state: 'completed', retry_count: 0 });
      const steps = await db.pool.query<{ status: number; busy: boolean }>(
        'SELECT status, busy FROM build_steps WHERE build_id = $1',
        [id],
      );
      expect(steps.rows).toEqual([{ status: id === failsId ? 1 : 0, busy: false }]);
    }
    const endsLog = (await readStoredLog(db.pool, endsId)).text;
    expect(occurrences(endsLog, 'ends-in-outage-start')).toBe(1);
    expect(occurrences(endsLog, 'ends-in-outage-end')).toBe(1);
    expect(ends.logSize).toBe(Buffer.byteLength(endsLog));
    const failsLog = (await readStoredLog(db.pool, failsId)).text;
    expect(occurrences(failsLog, 'fails-in-outage-start')).toBe(1);
    expect(occurrences(failsLog, 'fails-in-outage-end')).toBe(1);
    // Every line the long build printed, before, during and after the outage, once and in order.
    const outlastingLog = (await readStoredLog(db.pool, outlastingId)).text;
    const ticks = outlastingLog.split('\n').filter((l) => l.startsWith('outlasting-'));
    expect(ticks).toEqual(Array.from({ length: 90 }, (_, i) => `outlasting-${i + 1}`));

    // fc-evaluator: the evaluation in flight is finished (once), the one asked for during the outage done.
    await waitUntil(
      async () => (await evaluationsOf(db.pool, inFlight)).some((e) => e.status === 'succeeded'),
      120_000,
      'the evaluation in flight during the outage',
    );
    const inFlightEvals = await evaluationsOf(db.pool, inFlight);
    expect(inFlightEvals).toHaveLength(1);
    expect(inFlightEvals[0]).toMatchObject({ status: 'succeeded', nr_builds: 1 });
    await waitUntil(
      async () => (await evaluationsOf(db.pool, askedDuring)).some((e) => e.status === 'succeeded'),
      60_000,
      'the evaluation asked for during the outage',
    );
    // fc-server answers again.
    const answer = await fetch(`http://127.0.0.1:${port}/api/v1/builds/${endsId}`);
    expect(answer.status).toBe(200);
    // No daemon died, and each stops cleanly.
    expect(daemons.filter((d) => d.exited).map((d) => d.name)).toEqual([]);
    for (const d of daemons) {
      process.kill(d.process.pid!, 'SIGTERM');
      expect({ daemon: d.name, exitCode: (await d.process).exitCode }).toEqual({
        daemon: d.name,
        exitCode: 0,
      });
    }
  });
});
