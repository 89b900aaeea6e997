// npm run bench -- evaluator: a nixpkgs-sized evaluation through the built fc-evaluator daemon.
// The jobset (bench/nixpkgs-like-jobset.ts) has FC_BENCH_JOBS trivial derivations (250,000 by default;
// 25,000 for a quick run) in nested package sets, with meta, and one aggregate over many
// constituents. In the same run, each beside `nix-instantiate` of the same expression (its own
// salt, so both write every .drv file):
// - first evaluation, end to end: from the daemon claiming the evaluation (eval_started) to its
//   commit (eval_added): fetch, evaluation, recording, every build's pg-boss job; and the
//   recording phase's rate (new builds per second of what follows the evaluation itself);
// - second evaluation, 1% of the jobs changed: only what changed is recorded (the rest reused);
// - peak resident memory of fc-evaluator (its VmHWM) and of the Nix process of each side.
// Targets: first <= 1.5x of nix-instantiate; recording >= 20,000 builds/s; second <= 1.2x of
// nix-instantiate of the changed expression; fc-evaluator's peak < 1 GiB.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPool, migrateUp, type Pool } from '@fc/db';
import { createBoss, ensureQueues, requestEvaluation, type Boss } from '@fc/queue';
import { jobsetExpression, jobsetShape } from './nixpkgs-like-jobset';
import { cpuSeconds, mib, sampleProcessTree, type MemoryPeaks } from './process-memory';

const JOBS = Number(process.env['FC_BENCH_JOBS'] ?? 250_000);
const adminUrl = process.env['FC_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// The bundle runs from dist/bench/.
const migrationsDir = fileURLToPath(new URL('../../db/migrations', import.meta.url));
const evaluatorMain = fileURLToPath(new URL('../apps/evaluator/main.js', import.meta.url));
const GIB = 1024 ** 3;
// FC_BENCH_VERBOSE=1: every line fc-evaluator logs, not only its warnings and errors.
const VERBOSE = process.env['FC_BENCH_VERBOSE'] === '1';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=FC', '-c', 'user.email=fc@example.invalid', '-C', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });

function writeJobset(dir: string, salt: string, changed: boolean, commit: boolean): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'default.nix'), jobsetExpression({ jobs: JOBS, salt, changed }));
  if (!commit) return;
  git(dir, 'init', '--quiet');
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', changed ? '1% changed' : 'jobset');
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

/** nix-instantiate of the file: its wall time, peak memory and CPU seconds. */
async function nixInstantiate(file: string): Promise<{ ms: number; peak: number; cpu: number }> {
  const start = performance.now();
  const child = spawn('nix-instantiate', [file], { stdio: ['ignore', 'ignore', 'pipe'] });
  const sampler = sampleProcessTree(child.pid!);
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const ms = performance.now() - start;
  const peaks = sampler.stop();
  if (code !== 0) throw new Error(`nix-instantiate ${file} failed (${code}): ${stderr}`);
  return { ms, peak: peaks.root, cpu: peaks.rootCpu };
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** What fc-evaluator logged of its last succeeded evaluation. */
interface RecordingLog {
  recordingMs: number;
  recordingBusyMs: number;
  recordingPhasesMs: Record<string, number>;
  /** How long Nix's output waited on the recording. */
  evaluatorHeldMs?: number;
}
let lastSucceeded: RecordingLog | undefined;

/** Starts the built fc-evaluator; resolves once it logs 'ready'. */
async function startEvaluator(url: string, workDir: string): Promise<ChildProcess> {
  const daemon = spawn(process.execPath, [evaluatorMain], {
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FC_'))),
      FC_DATABASE__URL: url,
      FC_EVALUATOR__WORK_DIR: workDir,
      FC_EVALUATOR__POLL_INTERVAL: '1',
      FC_EVALUATOR__NIX_TIMEOUT: '7200',
      FC_EVALUATOR__MAX_CONCURRENT_EVALS: '1',
      FC_LOGS__LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const said: string[] = [];
  await new Promise<void>((resolve, reject) => {
    daemon.once('exit', (code) => reject(new Error(`fc-evaluator exited with ${code}:\n${said.join('\n')}`)));
    createInterface({ input: daemon.stderr }).on('line', (line) => {
      said.push(line);
      if (said.length > 20) said.shift();
      if (line.includes('"message":"ready"')) resolve();
      if (line.includes('"message":"evaluation succeeded"')) {
        lastSucceeded = JSON.parse(line) as RecordingLog;
      } else if (VERBOSE || /"level":"(warn|error)"/.test(line))
        process.stderr.write(`fc-evaluator: ${line.slice(0, 2000)}\n`);
    });
  });
  return daemon;
}

interface EvaluationRun {
  readonly e2eMs: number;
  /** The recording, as fc-evaluator logged it: from its first job to the commit, and busy. */
  readonly recording: RecordingLog;
  readonly row: {
    id: number;
    status: string;
    error: string | null;
    eval_duration_ms: number;
    checkout_duration_ms: number;
    nr_builds: number;
    nr_new_builds: number;
  };
  readonly fc: MemoryPeaks;
  /** CPU seconds the evaluation took: fc-evaluator itself, and its PostgreSQL backends. */
  readonly cpu: { evaluator: number; postgres: number };
}

/** CPU seconds so far of each PostgreSQL backend serving fc-evaluator, by pid. */
async function backendCpu(pool: Pool): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = 'fc-evaluator' AND datname = current_database()`,
  );
  return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid) ?? 0]));
}

/** Triggers an evaluation of the jobset and waits for its commit: eval_started → eval_added. */
async function evaluate(
  pool: Pool,
  boss: Boss,
  listener: pg.Client,
  daemon: ChildProcess,
  jobsetId: number,
): Promise<EvaluationRun> {
  const sampler = sampleProcessTree(daemon.pid!);
  lastSucceeded = undefined;
  const evaluatorCpu = cpuSeconds(daemon.pid!) ?? 0;
  const backendsBefore = await backendCpu(pool);
  let started = 0;
  const done = new Promise<number>((resolve) => {
    const onNotification = (n: pg.Notification) => {
      const fields = (n.payload ?? '').split('\t');
      if (n.channel === 'eval_started' && fields[1] === String(jobsetId)) started = performance.now();
      if ((n.channel === 'eval_added' || n.channel === 'eval_failed') && fields[1] === String(jobsetId)) {
        listener.off('notification', onNotification);
        resolve(performance.now());
      }
    };
    listener.on('notification', onNotification);
  });
  await requestEvaluation(pool, boss, { jobsetId, force: true, reason: 'api' });
  const finished = await done;
  const fc = sampler.stop();
  let postgres = 0;
  for (const [pid, cpu] of await backendCpu(pool)) postgres += cpu - (backendsBefore.get(pid) ?? 0);
  const cpu = { evaluator: (cpuSeconds(daemon.pid!) ?? 0) - evaluatorCpu, postgres };
  const { rows } = await pool.query<EvaluationRun['row']>(
    `SELECT id, status, error, eval_duration_ms, checkout_duration_ms, nr_builds, nr_new_builds
     FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1`,
    [jobsetId],
  );
  const row = rows[0]!;
  if (row.status !== 'succeeded') throw new Error(`evaluation ${row.id}: ${row.status}: ${row.error}`);
  // The log line comes just after the commit.
  for (let i = 0; i < 100 && !lastSucceeded; i++) await new Promise((r) => setTimeout(r, 50));
  if (!lastSucceeded) throw new Error(`fc-evaluator did not log evaluation ${row.id}'s success`);
  return { e2eMs: finished - started, row, fc, recording: lastSucceeded, cpu };
}

function report(label: string, run: EvaluationRun, plain: { ms: number; peak: number; cpu: number }): number {
  const { row, recording } = run;
  // Jobs are recorded while Nix evaluates: the rate is per second of the recording's busy time
  // (its statements, validity checks and reads, not its waits for Nix's output).
  const rate = Math.round(row.nr_new_builds / (recording.recordingBusyMs / 1000));
  const tail = run.e2eMs - row.eval_duration_ms - row.checkout_duration_ms;
  const nixPeak = Math.max(...run.fc.byCommand.values(), 0);
  console.log(
    `${label}: nix-instantiate ${fmt(plain.ms)}; FC end to end ${fmt(run.e2eMs)} ` +
      `(checkout ${fmt(row.checkout_duration_ms)}, evaluation with recording alongside ${fmt(row.eval_duration_ms)}, ` +
      `then ${fmt(tail)} to the commit), ratio ${ratio(run.e2eMs, plain.ms)}`,
  );
  console.log(
    `  ${row.nr_builds} builds, ${row.nr_new_builds} new; recording: ${fmt(recording.recordingMs)} from the first job to the commit, ` +
      `busy ${fmt(recording.recordingBusyMs)} (${Object.entries(recording.recordingPhasesMs)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(
          ', ',
        )}): ${rate} new builds/s; Nix held by the recording ${fmt(recording.evaluatorHeldMs ?? 0)}`,
  );
  const nixCpu = run.fc.cpuByCommand.get('nix-instantiate') ?? 0;
  const recordingCpu = run.cpu.evaluator + run.cpu.postgres;
  console.log(
    `  CPU: nix-instantiate ${plain.cpu.toFixed(1)} s; FC ${(nixCpu + recordingCpu).toFixed(1)} s ` +
      `(its Nix ${nixCpu.toFixed(1)} s, fc-evaluator ${run.cpu.evaluator.toFixed(1)} s, its PostgreSQL backends ` +
      `${run.cpu.postgres.toFixed(1)} s), ratio ${ratio(nixCpu + recordingCpu, plain.cpu)}; ` +
      `${Math.round(row.nr_builds / recordingCpu)} jobs recorded per CPU second of fc-evaluator and PostgreSQL`,
  );
  console.log(
    `  peak memory: Nix ${mib(plain.peak)} (nix-instantiate) / ${mib(nixPeak)} (FC's Nix), ` +
      `fc-evaluator ${mib(run.fc.root)} (VmHWM), FC's process tree ${mib(run.fc.treeRss)} (RSS)`,
  );
  return rate;
}

async function main(): Promise<void> {
  const shape = jobsetShape(JOBS);
  const scratch = mkdtempSync(join(tmpdir(), 'fc-bench-eval-'));
  const plainDir = join(scratch, 'plain');
  const fcDir = join(scratch, 'fc');
  const plainSalt = randomUUID();
  const fcSalt = randomUUID();
  writeJobset(plainDir, plainSalt, false, false);
  writeJobset(fcDir, fcSalt, false, true);
  console.log(
    `jobset: ${JOBS} jobs (nested package sets, meta, aggregate 'tested' of ${shape.constituents} constituents); ` +
      `load average ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );

  const dbName = `fc_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = withDb(adminUrl, dbName);
  const pool = createPool({ url, maxConnections: 4 });
  const boss = createBoss({ url, supervise: false });
  const listener = new pg.Client({ connectionString: url });
  let daemon: ChildProcess | undefined;
  try {
    await migrateUp(pool, migrationsDir);
    await boss.start();
    await ensureQueues(boss, { buildExpireSeconds: 3600, buildRetryLimit: 2 });
    await listener.connect();
    await listener.query('LISTEN eval_started; LISTEN eval_added; LISTEN eval_failed');
    const project = await pool.query<{ id: number }>(
      `INSERT INTO projects (name, repository_url) VALUES ('bench', $1) RETURNING id`,
      [`file://${fcDir}`],
    );
    const jobset = await pool.query<{ id: number }>(
      `INSERT INTO jobsets (project_id, name, nix_expression, check_interval) VALUES ($1, 'bench', 'default.nix', 0) RETURNING id`,
      [project.rows[0]!.id],
    );
    const jobsetId = jobset.rows[0]!.id;
    daemon = await startEvaluator(url, join(scratch, 'work'));

    // First evaluation: every derivation new to the store on both sides.
    const plainFirst = await nixInstantiate(join(plainDir, 'default.nix'));
    const first = await evaluate(pool, boss, listener, daemon, jobsetId);
    const queued = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'build-derivation'`,
    );
    if (first.row.nr_new_builds !== JOBS || queued.rows[0]!.n !== JOBS) {
      throw new Error(
        `first evaluation: ${first.row.nr_new_builds} builds and ${queued.rows[0]!.n} build jobs, not ${JOBS}`,
      );
    }
    const rate = report('first evaluation', first, plainFirst);

    // Second evaluation: 1% of the jobs changed (their derivations new to the store on both sides).
    writeJobset(plainDir, plainSalt, true, false);
    writeJobset(fcDir, fcSalt, true, false);
    git(fcDir, 'commit', '--quiet', '--all', '-m', '1% changed');
    const plainSecond = await nixInstantiate(join(plainDir, 'default.nix'));
    const second = await evaluate(pool, boss, listener, daemon, jobsetId);
    const changed = Math.ceil((JOBS - 1) / 100);
    report('second evaluation, 1% changed', second, plainSecond);
    // The changed jobs and the aggregate over them are new; every other build is reused.
    if (second.row.nr_new_builds > changed + 1 || second.row.nr_builds !== JOBS) {
      throw new Error(
        `second evaluation: ${second.row.nr_new_builds} new of ${second.row.nr_builds}, expected at most ${changed + 1} new of ${JOBS}`,
      );
    }

    const evaluatorPeak = Math.max(first.fc.root, second.fc.root);
    const targets = [
      [
        'first evaluation end to end <= 1.5x of nix-instantiate',
        first.e2eMs <= 1.5 * plainFirst.ms,
        ratio(first.e2eMs, plainFirst.ms),
      ],
      ['recording >= 20,000 builds/s', rate >= 20_000, `${rate}/s`],
      [
        'second evaluation <= 1.2x of nix-instantiate',
        second.e2eMs <= 1.2 * plainSecond.ms,
        ratio(second.e2eMs, plainSecond.ms),
      ],
      ['fc-evaluator peak memory < 1 GiB', evaluatorPeak < GIB, mib(evaluatorPeak)],
    ] as const;
    for (const [what, met, value] of targets)
      console.log(`target ${what}: ${value}, ${met ? 'met' : 'NOT MET'}`);
  } finally {
    if (daemon && daemon.exitCode === null) {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon!.once('exit', r));
    }
    await listener.end().catch(() => undefined);
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
