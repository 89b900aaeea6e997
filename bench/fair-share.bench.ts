// npm run bench -- fair-share: builders shared between jobsets. Real daemons throughout: fc-evaluator
// evaluates every jobset from its git repository (so the queue is exactly what evaluations leave:
// builds, outputs and grouped pg-boss jobs), FC_BENCH_RUNNERS fc-queue-runners (FC_BENCH_WORKERS
// slots each) build with Nix. In the same run:
//   1. baseline: three jobsets of 20 trivial builds, one after the other, on an idle queue;
//   2. jobset A (FC_BENCH_QUEUED trivial builds, 100,000 by default) evaluated, and built for a while;
//   3. three more jobsets of 20 builds (the same shares as A), one after the other, beside A's backlog;
//   4. EXPLAIN ANALYZE of a runner's claim (the shares read and the fairest jobset's fetch) with A's
//      backlog queued, beside pg-boss's own fetch of the same build (ignoreGroups).
// Times run from an evaluation's commit (its eval_added notification; a build may start a few ms
// before it arrives: 0) to its first build's start and to its last build's end; each side's median
// is reported. Targets: the first build starts within
// 5 s; all 20 are done within 3x of the idle queue's time.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { execa, type ResultPromise } from 'execa';
import { FAIR_SHARE_WINDOW_SECONDS } from '@fc/builds';
import { createPool, listJobsetShares, listJobsetSharesSql, migrateUp, type Pool } from '@fc/db';
import {
  GROUP_FETCH_SQL,
  ACTIVE_GROUP_TIME_SQL,
  QueueName,
  bossDb,
  buildJobGroup,
  buildJobPriority,
  createBoss,
  ensureQueues,
  requestEvaluation,
  type Boss,
} from '@fc/queue';
import { createBenchDatabase } from './bench-database';

const QUEUED = Number(process.env['FC_BENCH_QUEUED'] ?? 100_000);
const JOBS = Number(process.env['FC_BENCH_JOBSET_JOBS'] ?? 20);
const RUNNERS = Number(process.env['FC_BENCH_RUNNERS'] ?? 2);
const WORKERS = Number(process.env['FC_BENCH_WORKERS'] ?? 2);
/** Seconds the runners build A's backlog before B is evaluated. */
const WARMUP_SECONDS = Number(process.env['FC_BENCH_WARMUP'] ?? 15);
const adminUrl = process.env['FC_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// npm run bench runs from the repository root (the bundle lives in dist/bench/).
const root = process.cwd();

const FIRST_START_TARGET_MS = 5000;
const FINISH_TARGET_RATIO = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A git repository whose default.nix holds `jobs` trivial derivations, unique to this run. */
function jobsetRepository(dir: string, jobs: number): string {
  const salt = randomUUID();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'default.nix'),
    `let mk = i: derivation { name = "fair-\${toString i}"; system = "x86_64-linux"; builder = "/bin/sh";
    args = [ "-c" "echo ${salt} \${toString i} > $out" ]; };
in builtins.listToAttrs (builtins.genList (i: { name = "job\${toString i}"; value = mk i; }) ${jobs})
`,
  );
  const git = ['-c', 'user.name=FC', '-c', 'user.email=fc@example.invalid', '-C', dir];
  execFileSync('git', [...git, 'init', '--quiet']);
  execFileSync('git', [...git, 'add', '--all']);
  execFileSync('git', [...git, 'commit', '--quiet', '-m', 'bench']);
  return dir;
}

async function createJobset(pool: Pool, name: string, repository: string): Promise<number> {
  const p = await pool.query<{ id: number }>(
    `INSERT INTO projects (name, repository_url) VALUES ($1, $2) RETURNING id`,
    [name, `file://${repository}`],
  );
  // check_interval 0: evaluated only when the bench asks.
  const j = await pool.query<{ id: number }>(
    `INSERT INTO jobsets (project_id, name, nix_expression, check_interval) VALUES ($1, 'main', 'default.nix', 0)
     RETURNING id`,
    [p.rows[0]!.id],
  );
  return Number(j.rows[0]!.id);
}

function daemonEnv(url: string, dir: string): Record<string, string> {
  return {
    FC_DATABASE__URL: url,
    FC_DATABASE__MIN_CONNECTIONS: '0',
    // The machine's PostgreSQL is shared: a few connections per daemon.
    FC_DATABASE__MAX_CONNECTIONS: '6',
    FC_LOGS__LOG_DIR: join(dir, 'logs'),
    FC_LOGS__LEVEL: 'warn',
    FC_GC__GC_ROOTS_DIR: join(dir, 'roots'),
  };
}

/**
 * Starts a built daemon and resolves once it logs `ready` (fails if it exits first: the machine's
 * PostgreSQL is shared, and a daemon refused a connection must not leave the run one runner short).
 * Its warnings and errors go to the console.
 */
interface Daemon {
  readonly process: ResultPromise;
  /** Whether it has exited. */
  readonly exited: () => boolean;
}

async function startDaemon(app: 'evaluator' | 'builder', env: Record<string, string>): Promise<Daemon> {
  const daemon = execa(process.execPath, [join(root, 'dist', 'apps', app, 'main.js')], {
    env: { ...env, FC_LOGS__LEVEL: 'info' },
    reject: false,
    stdin: 'ignore',
    stdout: 'inherit',
    stderr: 'pipe',
  });
  let ready = false;
  let exited = false;
  let pending = '';
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    daemon.stderr.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        let record: { level?: string; message?: string } = {};
        try {
          record = JSON.parse(line) as typeof record;
        } catch {
          // A line that is not a log record (a start failure's stack).
        }
        if (!ready && record.message === 'ready') {
          ready = true;
          resolve();
        } else if (record.level !== 'info' && record.level !== 'debug') console.error(`  fc-${app}: ${line}`);
      }
    });
    void daemon.then(() => {
      exited = true;
      if (!ready) reject(new Error(`fc-${app} exited before it was ready:\n${lines.join('\n')}`));
    });
  });
  return { process: daemon, exited: () => exited };
}

/** Fails when a daemon has exited (a figure measured without it would mean nothing). */
function assertRunning(daemons: readonly Daemon[]): void {
  const gone = daemons.filter((d) => d.exited());
  if (gone.length > 0)
    throw new Error(`${gone.length} daemon(s) exited during the run (their output is above)`);
}

/** The commit of each evaluation, as fc-evaluator announces it (eval_added: trace, jobset, evaluation). */
class EvaluationCommits {
  private readonly seen = new Map<number, { evaluationId: number; at: number }>();
  private constructor(private readonly client: pg.Client) {}

  static async listen(url: string): Promise<EvaluationCommits> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const commits = new EvaluationCommits(client);
    client.on('notification', (msg) => {
      const [, jobsetId, evaluationId] = (msg.payload ?? '').split('\t');
      commits.seen.set(Number(jobsetId), { evaluationId: Number(evaluationId), at: Date.now() });
    });
    await client.query('LISTEN eval_added');
    return commits;
  }

  async next(jobsetId: number, timeoutMs: number): Promise<{ evaluationId: number; at: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = this.seen.get(jobsetId);
      if (c) {
        this.seen.delete(jobsetId);
        return c;
      }
      if (Date.now() > deadline)
        throw new Error(`jobset ${jobsetId} was not evaluated within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

interface JobsetRun {
  readonly triggerToCommitMs: number;
  readonly firstStartMs: number;
  readonly allDoneMs: number;
  readonly failed: number;
  /** Builds of other jobsets started between the jobset's first start and its last end. */
  readonly othersStarted: number;
}

/** Evaluates the jobset through fc-evaluator and waits for every build of the evaluation to finish. */
async function evaluateAndBuild(
  pool: Pool,
  boss: Boss,
  commits: EvaluationCommits,
  jobsetId: number,
): Promise<JobsetRun> {
  const triggered = Date.now();
  await requestEvaluation(pool, boss, { jobsetId, force: true, reason: 'api' });
  const { evaluationId, at } = await commits.next(jobsetId, 600_000);
  const deadline = Date.now() + 600_000;
  for (;;) {
    const r = await pool.query<{ n: number; left: number }>(
      'SELECT count(*)::int AS n, count(*) FILTER (WHERE NOT finished)::int AS left FROM builds WHERE evaluation_id = $1',
      [evaluationId],
    );
    if (r.rows[0]!.n !== JOBS)
      throw new Error(`evaluation ${evaluationId} has ${r.rows[0]!.n} builds, not ${JOBS}`);
    if (r.rows[0]!.left === 0) break;
    if (Date.now() > deadline) throw new Error(`${r.rows[0]!.left} builds of jobset ${jobsetId} unfinished`);
    await sleep(50);
  }
  const s = await pool.query<{ first: Date; last: Date; failed: number; others: number }>(
    `WITH b AS (SELECT min(started_at) AS first, max(stopped_at) AS last,
                       count(*) FILTER (WHERE build_status <> 0)::int AS failed
                FROM builds WHERE evaluation_id = $1)
     SELECT b.first, b.last, b.failed,
       (SELECT count(*)::int FROM builds o WHERE o.jobset_id <> $2 AND o.started_at BETWEEN b.first AND b.last) AS others
     FROM b`,
    [evaluationId, jobsetId],
  );
  const row = s.rows[0]!;
  return {
    triggerToCommitMs: at - triggered,
    // A runner woken by build_queued may start a build before eval_added reaches this process.
    firstStartMs: Math.max(0, row.first.getTime() - at),
    allDoneMs: row.last.getTime() - at,
    failed: row.failed,
    othersStarted: row.others,
  };
}

const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** Prints one jobset's run; returns it. */
function report(where: string, r: JobsetRun): JobsetRun {
  console.log(
    `  ${JOBS} builds, ${where}: evaluation ${secs(r.triggerToCommitMs)}; commit -> first start ` +
      `${secs(r.firstStartMs)}, -> all done ${secs(r.allDoneMs)}; other jobsets' builds started meanwhile: ` +
      `${r.othersStarted}${r.failed ? `; ${r.failed} FAILED` : ''}`,
  );
  return r;
}

async function queuedCount(pool: Pool, jobsetId: number): Promise<number> {
  const r = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM builds WHERE jobset_id = $1 AND NOT finished AND started_at IS NULL',
    [jobsetId],
  );
  return r.rows[0]!.n;
}

/** The plan's execution time, the indexes it used, and the rows its filters read and threw away. */
function summarizePlan(lines: readonly string[]): string {
  const exec = lines.find((l) => l.startsWith('Execution Time'))?.replace('Execution Time: ', '');
  const indexes = [...new Set(lines.flatMap((l) => [...l.matchAll(/using (\w+)/g)].map((m) => m[1])))];
  const removed = lines
    .filter((l) => l.includes('Rows Removed by Filter'))
    .reduce((n, l) => n + Number(l.split(':')[1]), 0);
  return `${exec}, index ${indexes.join(', ') || 'none'}, ${removed} rows read and filtered out`;
}

/**
 * EXPLAIN ANALYZE of a runner's claim with A's backlog queued, all rolled back: the shares read, then
 * the fetch of the next build of the fairest jobset, `probe`, given one queued build (its job inserted
 * in the same transaction, so no runner sees it; queued last, as B's were, behind A's backlog).
 */
async function explainClaim(pool: Pool, boss: Boss, probe: number): Promise<void> {
  const client = await pool.connect();
  const explain = async (text: string, values: unknown[]) =>
    (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values)).rows.map(
      (x) => x['QUERY PLAN'],
    );
  try {
    await client.query('BEGIN');
    const shares = await listJobsetShares(client, FAIR_SHARE_WINDOW_SECONDS);
    const plan = await explain(listJobsetSharesSql, [FAIR_SHARE_WINDOW_SECONDS]);
    console.log(
      `  shares read (${shares.map((x) => `jobset ${x.jobsetId}: ${x.finishedSeconds.toFixed(0)} s used by finished builds`).join('; ')}): ` +
        summarizePlan(plan),
    );
    const build = await client.query<{ id: number }>('SELECT id FROM builds WHERE jobset_id = $1 LIMIT 1', [
      probe,
    ]);
    await boss.insert(
      QueueName.BuildDerivation,
      [
        {
          data: { buildId: Number(build.rows[0]!.id) },
          group: buildJobGroup(probe),
          priority: buildJobPriority(0, 100),
        },
      ],
      { db: bossDb(client) },
    );
    const active = await explain(ACTIVE_GROUP_TIME_SQL, [QueueName.BuildDerivation]);
    console.log(`  claimed builds' time per jobset (pg-boss's active jobs): ${summarizePlan(active)}`);
    const fetch = await explain(GROUP_FETCH_SQL, [QueueName.BuildDerivation, buildJobGroup(probe).id]);
    console.log(`  next build of jobset ${probe} (group fetch): ${summarizePlan(fetch)}`);
    // What the claim ran before (pg-boss's fetch leaving the other jobsets' groups out), for comparison.
    const ignoring = await explain(
      `SELECT j.id FROM pgboss.job j WHERE j.name = $1 AND j.state < 'active' AND NOT j.blocked
         AND j.start_after <= pgboss.job_now() AND (j.group_id IS NULL OR j.group_id <> ALL($2::text[]))
       ORDER BY j.priority DESC, j.created_on LIMIT 1 FOR UPDATE OF j SKIP LOCKED`,
      [QueueName.BuildDerivation, shares.map((x) => buildJobGroup(x.jobsetId).id)],
    );
    console.log(`  the same by pg-boss's fetch with ignoreGroups (its SELECT): ${summarizePlan(ignoring)}`);
    if (process.env['FC_BENCH_PLANS'])
      console.log([...plan, ...active, ...fetch, ...ignoring].map((l) => `    ${l}`).join('\n'));
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fc-bench-fair-'));
  const db = await createBenchDatabase(adminUrl, 'fc_bench_fair');
  const pool = createPool({ url: db.url, maxConnections: 4 });
  const boss = createBoss({ url: db.url, supervise: false });
  const daemons: Daemon[] = [];
  let commits: EvaluationCommits | undefined;
  try {
    await migrateUp(pool, join(root, 'db', 'migrations'));
    await boss.start();
    await ensureQueues(boss, { buildExpireSeconds: 4200, buildRetryLimit: 3 });
    const jobset = (name: string, jobs: number) =>
      createJobset(pool, name, jobsetRepository(join(dir, name), jobs));
    const warmup = await jobset('warmup', JOBS);
    const idle = [await jobset('idle1', JOBS), await jobset('idle2', JOBS), await jobset('idle3', JOBS)];
    const a = await jobset('a', QUEUED);
    const loaded = [await jobset('b1', JOBS), await jobset('b2', JOBS), await jobset('b3', JOBS)];
    commits = await EvaluationCommits.listen(db.url);

    daemons.push(
      await startDaemon('evaluator', {
        ...daemonEnv(db.url, dir),
        FC_EVALUATOR__WORK_DIR: join(dir, 'evaluator'),
        FC_EVALUATOR__POLL_INTERVAL: '1',
      }),
    );
    for (let i = 0; i < RUNNERS; i++) {
      daemons.push(
        await startDaemon('builder', {
          ...daemonEnv(db.url, join(dir, `runner${i}`)),
          FC_QUEUE_RUNNER__WORK_DIR: join(dir, `runner${i}`, 'work'),
          FC_QUEUE_RUNNER__WORKERS: String(WORKERS),
        }),
      );
    }
    console.log(
      `fair share: ${RUNNERS} fc-queue-runners x ${WORKERS} workers, fc-evaluator; jobsets of ${JOBS} trivial builds ` +
        `evaluated on an idle queue and beside a backlog of ${QUEUED} (equal shares), three of each`,
    );

    // Not measured: each runner's first builds start its Nix connections.
    await evaluateAndBuild(pool, boss, commits, warmup);
    const idleRuns: JobsetRun[] = [];
    for (const id of idle)
      idleRuns.push(report('idle queue', await evaluateAndBuild(pool, boss, commits, id)));
    assertRunning(daemons);

    const t = Date.now();
    await requestEvaluation(pool, boss, { jobsetId: a, force: true, reason: 'api' });
    const backlog = await commits.next(a, 1_800_000);
    const recorded = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM builds WHERE jobset_id = $1',
      [a],
    );
    if (recorded.rows[0]!.n !== QUEUED)
      throw new Error(`jobset A has ${recorded.rows[0]!.n} builds, not ${QUEUED}`);
    console.log(
      `  jobset A: ${QUEUED} builds evaluated and queued by fc-evaluator in ${secs(backlog.at - t)}`,
    );
    await sleep(WARMUP_SECONDS * 1000);

    const loadedRuns: JobsetRun[] = [];
    for (const id of loaded) {
      const before = await queuedCount(pool, a);
      loadedRuns.push(report(`beside A (${before} queued)`, await evaluateAndBuild(pool, boss, commits, id)));
    }
    assertRunning(daemons);

    const first = median(loadedRuns.map((r) => r.firstStartMs));
    const done = median(loadedRuns.map((r) => r.allDoneMs));
    const idleFirst = median(idleRuns.map((r) => r.firstStartMs));
    const idleDone = median(idleRuns.map((r) => r.allDoneMs));
    const ratio = done / idleDone;
    console.log(
      `  medians: first start ${secs(first)} beside A, ${secs(idleFirst)} idle (target < 5 s: ` +
        `${first < FIRST_START_TARGET_MS ? 'met' : 'MISSED'}); all ${JOBS} done ${secs(done)} beside A, ` +
        `${secs(idleDone)} idle: ${ratio.toFixed(2)}x (target <= ${FINISH_TARGET_RATIO}x: ` +
        `${ratio <= FINISH_TARGET_RATIO ? 'met' : 'MISSED'})`,
    );
    console.log(
      `  a claim with ${await queuedCount(pool, a)} builds of A queued (EXPLAIN ANALYZE, rolled back):`,
    );
    await explainClaim(pool, boss, loaded[2]!);
  } finally {
    for (const d of daemons) d.process.kill('SIGTERM');
    await Promise.all(daemons.map((d) => d.process));
    await commits?.close();
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await pool.end();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
