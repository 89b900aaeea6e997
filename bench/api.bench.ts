// npm run bench -- api: fc-server's lists and dashboard pages at 1,000,000 builds, 16 concurrent clients.
// Each endpoint is measured beside its baseline in the same run, in alternating rounds: the bare
// indexed page (`SELECT id FROM builds ... ORDER BY id DESC LIMIT 50` with the same filter) run
// directly on a pool, and for each dashboard page the REST request for the same data as well.
// Targets (issues 10 and 14): every list's and stats' p99 < 50 ms and within 3x of its bare page's
// p99; every page's p99 < 100 ms. fc-server's CPU time per request is printed beside each (on a
// shared machine it is steadier than the latency).
// The evaluation pages: one of 1,000 builds against its previous 1,000, and the second evaluation of a
// nixpkgs-sized jobset (FC_BENCH_LARGE_EVALUATION jobs, default 250,000) against its first.
// FC_BENCH_BUILDS changes the size, FC_BENCH_REQUESTS the requests per subject, FC_BENCH_ONLY (a
// substring) the rows, FC_BENCH_DATABASE_URL the PostgreSQL server. The seeded installation is kept
// as a template database per schema version (bench/api-seed.ts), so only the first run seeds.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { compareEvaluationBuilds, createPool, setLargeReadSettings, withTransaction } from '@fc/db';
import { LARGE_JOBSET, LARGE_PROJECT, ensureSeededTemplate, withDb } from './api-seed';
import { measureAlternating, type Percentiles } from './latency';

const BUILDS = Number(process.env['FC_BENCH_BUILDS'] ?? 1_000_000);
/** The jobs of the nixpkgs-sized jobset whose second evaluation's page is measured. */
const LARGE_JOBS = Number(process.env['FC_BENCH_LARGE_EVALUATION'] ?? 250_000);
const CONCURRENCY = 16;
const REQUESTS = Number(process.env['FC_BENCH_REQUESTS'] ?? 2000);
const ONLY = process.env['FC_BENCH_ONLY'];
const LIST_P99_MS = 50;
const LIST_RATIO = 3;
const PAGE_P99_MS = 100;
const adminUrl = process.env['FC_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// The bundle runs from dist/bench/.
const migrationsDir = fileURLToPath(new URL('../../db/migrations', import.meta.url));
const bossPackageJson = fileURLToPath(new URL('../../node_modules/pg-boss/package.json', import.meta.url));
const serverMain = fileURLToPath(new URL('../apps/server/main.js', import.meta.url));

interface Subject {
  readonly label: string;
  readonly run: () => Promise<unknown>;
}

interface Row {
  readonly kind: 'list' | 'page';
  readonly subject: Subject;
  readonly bare: Subject;
  /** For a page: the REST request reading the same data. */
  readonly rest?: Subject;
}

/** fc-server's CPU time per request (steadier than latency on a shared machine). */
function cpu(p: Percentiles): string {
  return `${(p.cpuPerCall ?? 0).toFixed(2)} ms`;
}

function fmt(p: Percentiles): string {
  const errors = p.errors ? ` (${p.errors} failed: ${p.firstError})` : '';
  return `${p.p50.toFixed(1)} / ${p.p99.toFixed(1)}${errors}`;
}

/** A client gives up on a request after this long (counted as failed). */
const REQUEST_TIMEOUT_MS = 60_000;

/** The CPU time (user + system, ms) process `pid` has used so far (Linux /proc). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}
const CLOCK_TICKS_PER_S = 100;

function startServer(url: string): Promise<{ base: string; pid: number; stop: () => Promise<void> }> {
  // fc-server runs as its own process (the built bundle), as in production: the benchmark's
  // clients do not share its event loop.
  const server = spawn(process.execPath, [serverMain], {
    env: {
      ...process.env,
      FC_DATABASE__URL: url,
      FC_DATABASE__MAX_CONNECTIONS: String(CONCURRENCY),
      FC_SERVER__PORT: '0',
      FC_SERVER__SESSION_SECRET: 'bench',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`fc-server exited with ${code}`)));
    createInterface({ input: server.stderr }).on('line', (line) => {
      const m = /"port":(\d+)/.exec(line);
      if (m) {
        resolve({
          base: `http://127.0.0.1:${m[1]}`,
          pid: server.pid!,
          stop: async () => {
            server.removeAllListeners('exit');
            const exited = new Promise((r) => server.once('exit', r));
            server.kill('SIGTERM');
            await exited;
          },
        });
      } else if (!line.includes('"level":"info"')) process.stderr.write(`fc-server: ${line}\n`);
    });
  });
}

async function main(): Promise<void> {
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const template = await ensureSeededTemplate(
    adminUrl,
    BUILDS,
    LARGE_JOBS,
    migrationsDir,
    bossPackageJson,
    (l) => console.log(l),
  );
  const name = `fc_bench_api_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let t = performance.now();
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}" STRATEGY FILE_COPY`);
  console.log(`cloned the template in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const url = withDb(adminUrl, name);
  const direct = createPool({ url, maxConnections: CONCURRENCY });
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    // The clone's pages are cold: read the tables once, as a running installation would have.
    t = performance.now();
    await direct.query(`SELECT count(*) FROM builds`);
    await direct.query(`SELECT count(*) FROM build_outputs`);
    console.log(`warmed the tables in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    server = await startServer(url);
    const base = server.base;
    const serverPid = server.pid;

    const one = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
      (await direct.query<T>(sql, values)).rows[0]!;
    const jobset = await one<{ id: number; project: string; name: string }>(
      `SELECT j.id, p.name AS project, j.name FROM jobsets j JOIN projects p ON p.id = j.project_id
       ORDER BY j.id LIMIT 1 OFFSET 42`,
    );
    // An evaluation in the middle of the history, with a previous one to compare with.
    const evaluation = await one<{ id: number }>(
      `SELECT id FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1 OFFSET 4`,
      [jobset.id],
    );
    // The nixpkgs-sized jobset's second evaluation (250,000 jobs, 99% of them reused from the first).
    const large = LARGE_JOBS
      ? await one<{ id: number; previous: number; jobsetId: number }>(
          `SELECT e.id, e.jobset_id AS "jobsetId", (SELECT max(x.id) FROM evaluations x WHERE x.jobset_id = e.jobset_id AND x.id < e.id) AS previous
           FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id JOIN projects p ON p.id = j.project_id
           WHERE p.name = $1 AND j.name = $2 ORDER BY e.id DESC LIMIT 1`,
          [LARGE_PROJECT, LARGE_JOBSET],
        )
      : undefined;
    const middle = Math.floor(BUILDS / 2);
    // A build with a product, a metric and a second output.
    const build = await one<{ id: number }>(
      `SELECT id FROM builds WHERE finished AND id % 350 = 0 AND id <= $1 ORDER BY id DESC LIMIT 1`,
      [middle],
    );

    const get = (path: string, check?: (body: string) => boolean): Subject => ({
      label: path,
      run: async () => {
        const r = await fetch(base + path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const body = await r.text();
        if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${body.slice(0, 300)}`);
        if (check && !check(body)) throw new Error(`GET ${path}: unexpected answer ${body.slice(0, 300)}`);
      },
    });
    const items = (n: number) => (body: string) =>
      (JSON.parse(body) as { items: unknown[] }).items.length === n;
    const sql = (label: string, text: string, values: unknown[] = []): Subject => ({
      label,
      run: () => direct.query(text, values),
    });
    const barePage = (where = '', values: unknown[] = [], limit = 50) =>
      sql(
        `SELECT id FROM builds${where ? ` WHERE ${where}` : ''} ORDER BY id DESC LIMIT ${limit}`,
        `SELECT id FROM builds b${where ? ` WHERE ${where}` : ''} ORDER BY id DESC LIMIT ${limit}`,
        values,
      );
    const evalWhere = 'b.id IN (SELECT build_id FROM evaluation_builds WHERE evaluation_id = $1)';

    const rows: Row[] = [
      { kind: 'list', subject: get('/api/v1/builds?limit=50', items(50)), bare: barePage() },
      {
        kind: 'list',
        subject: get(`/api/v1/builds?limit=50&jobset_id=${jobset.id}`, items(50)),
        bare: barePage('jobset_id = $1', [jobset.id]),
      },
      {
        kind: 'list',
        subject: get(`/api/v1/builds?limit=50&evaluation_id=${evaluation.id}`, items(50)),
        bare: barePage(evalWhere, [evaluation.id]),
      },
      {
        kind: 'list',
        subject: get('/api/v1/builds?limit=50&status=failed', items(50)),
        bare: barePage('build_status = 1'),
      },
      {
        kind: 'list',
        subject: get('/api/v1/builds?limit=50&status=queued', items(50)),
        bare: barePage('NOT finished AND started_at IS NULL'),
      },
      {
        kind: 'list',
        subject: get(`/api/v1/builds?limit=50&cursor=${middle}`, items(50)),
        bare: barePage('id < $1', [middle]),
      },
      {
        kind: 'list',
        subject: get('/api/v1/builds?limit=50&offset=5000', items(50)),
        bare: sql(
          'SELECT id FROM builds ORDER BY id DESC LIMIT 50 OFFSET 5000',
          'SELECT id FROM builds ORDER BY id DESC LIMIT 50 OFFSET 5000',
        ),
      },
      { kind: 'list', subject: get('/api/v1/builds/stats'), bare: barePage() },
      {
        kind: 'list',
        subject: get('/api/v1/builds/recent?limit=50', items(50)),
        bare: sql(
          'SELECT id FROM builds WHERE finished ORDER BY stopped_at DESC LIMIT 50',
          'SELECT id FROM builds WHERE finished ORDER BY stopped_at DESC, id DESC LIMIT 50',
        ),
      },
      {
        kind: 'list',
        subject: get('/api/v1/evaluations?limit=50', items(50)),
        bare: sql(
          'SELECT id FROM evaluations ORDER BY id DESC LIMIT 50',
          'SELECT id FROM evaluations ORDER BY id DESC LIMIT 50',
        ),
      },
      {
        kind: 'page',
        subject: get('/'),
        bare: barePage('', [], 15),
        rest: get('/api/v1/builds?limit=15', items(15)),
      },
      {
        kind: 'page',
        subject: get('/builds'),
        bare: barePage(),
        rest: get('/api/v1/builds?limit=50', items(50)),
      },
      {
        kind: 'page',
        subject: get('/builds?status=failed'),
        bare: barePage('build_status = 1'),
        rest: get('/api/v1/builds?limit=50&status=failed', items(50)),
      },
      {
        kind: 'page',
        subject: get('/queue'),
        bare: sql(
          'SELECT id FROM builds WHERE <queued> ORDER BY <queue order> LIMIT 50',
          `SELECT id FROM builds WHERE NOT finished AND started_at IS NULL
           ORDER BY global_priority DESC, priority DESC, id LIMIT 50`,
        ),
        rest: get('/api/v1/builds?limit=50&status=queued', items(50)),
      },
      {
        kind: 'page',
        subject: get(`/jobset/${jobset.project}/${jobset.name}`),
        bare: barePage('jobset_id = $1', [jobset.id]),
        rest: get(`/api/v1/builds?limit=50&jobset_id=${jobset.id}`, items(50)),
      },
      {
        kind: 'page',
        subject: get(`/eval/${evaluation.id}`),
        bare: barePage(evalWhere, [evaluation.id]),
        rest: get(`/api/v1/evaluations/${evaluation.id}/comparison`),
      },
      ...(large
        ? [
            {
              kind: 'page' as const,
              subject: get(`/jobset/${LARGE_PROJECT}/${LARGE_JOBSET}`),
              bare: barePage('jobset_id = $1', [large.jobsetId]),
              rest: get(`/api/v1/builds?limit=50&jobset_id=${large.jobsetId}`, items(50)),
            },
            {
              kind: 'page' as const,
              subject: get(`/eval/${large.id}`),
              bare: barePage('evaluation_id = $1', [large.id]),
              rest: get(`/api/v1/evaluations/${large.id}/comparison?limit=100`),
            },
          ]
        : []),
      {
        kind: 'page',
        subject: get('/evaluations'),
        bare: sql(
          'SELECT id FROM evaluations ORDER BY id DESC LIMIT 25',
          'SELECT id FROM evaluations ORDER BY id DESC LIMIT 25',
        ),
        rest: get('/api/v1/evaluations?limit=25', items(25)),
      },
      {
        kind: 'page',
        subject: get(`/build/${build.id}`),
        bare: sql('SELECT id FROM builds WHERE id = $1', 'SELECT id FROM builds WHERE id = $1', [build.id]),
        rest: get(`/api/v1/builds/${build.id}`),
      },
    ];

    const chosen = rows.filter((r) => !ONLY || r.subject.label.includes(ONLY));
    const results: { row: Row; subject: Percentiles; bare: Percentiles; rest?: Percentiles }[] = [];
    for (const row of chosen) {
      const subjects = [row.subject, row.bare, ...(row.rest ? [row.rest] : [])];
      // One call each first: a wrong answer fails the run before anything is measured.
      for (const s of subjects) await s.run();
      const [subject, bare, rest] = await measureAlternating(
        subjects.map((s) => s.run),
        {
          requests: REQUESTS,
          concurrency: CONCURRENCY,
          rounds: 4,
          warmup: 50,
          cpu: () => cpuMsOf(serverPid),
        },
      );
      results.push({ row, subject: subject!, bare: bare!, ...(rest ? { rest } : {}) });
      console.log(
        `measured ${row.subject.label}: p50/p99 ${fmt(subject!)} ms, fc-server CPU ${cpu(subject!)}/request; bare ${fmt(bare!)}${rest ? `; REST ${fmt(rest)}, CPU ${cpu(rest)}` : ''} (load ${loadavg()[0]!.toFixed(1)})`,
      );
    }

    if (large && chosen.some((r) => r.subject.label === `/eval/${large.id}`)) {
      // What the large evaluation's page is served from (kept 10 s by fc-server): the comparison itself,
      // one statement, run alone.
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await withTransaction(direct, async (tx) => {
          await setLargeReadSettings(tx);
          await compareEvaluationBuilds(tx, large.id, large.previous, { offset: 0, limit: 100 });
        });
        times.push(performance.now() - t0);
      }
      console.log(
        `the comparison of evaluation ${large.id} (${LARGE_JOBS} jobs) with ${large.previous} in PostgreSQL, alone: ${times.map((x) => x.toFixed(0)).join(' / ')} ms`,
      );
    }
    console.log(
      `\n${BUILDS} builds, ${CONCURRENCY} concurrent clients, ${REQUESTS} requests per subject in 4 alternating rounds; p50 / p99 in ms`,
    );
    console.log(
      '\n| endpoint | p50 / p99 | fc-server CPU per request | bare indexed page (same run) | p50 / p99 | p99 ratio | target | |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    let allMet = true;
    for (const { row, subject, bare } of results.filter((r) => r.row.kind === 'list')) {
      const ratio = subject.p99 / bare.p99;
      const met = subject.errors === 0 && subject.p99 < LIST_P99_MS && ratio <= LIST_RATIO;
      allMet &&= met;
      console.log(
        `| \`GET ${row.subject.label}\` | ${fmt(subject)} | ${cpu(subject)} | \`${row.bare.label}\` | ${fmt(bare)} | ${ratio.toFixed(2)} | p99 < ${LIST_P99_MS} ms, <= ${LIST_RATIO}x | ${met ? 'met' : 'NOT met'} |`,
      );
    }
    console.log(
      '\n| page | p50 / p99 | fc-server CPU per request | REST, same data | p50 / p99 | CPU per request | p99 ratio | bare indexed page | p50 / p99 | p99 ratio | target | |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const { row, subject, bare, rest } of results.filter((r) => r.row.kind === 'page')) {
      const met = subject.errors === 0 && subject.p99 < PAGE_P99_MS;
      allMet &&= met;
      console.log(
        `| \`GET ${row.subject.label}\` | ${fmt(subject)} | ${cpu(subject)} | \`GET ${row.rest!.label}\` | ${fmt(rest!)} | ${cpu(rest!)} | ${(subject.p99 / rest!.p99).toFixed(2)} | \`${row.bare.label}\` | ${fmt(bare)} | ${(subject.p99 / bare.p99).toFixed(2)} | p99 < ${PAGE_P99_MS} ms | ${met ? 'met' : 'NOT met'} |`,
      );
    }
    console.log(`\nevery target: ${allMet ? 'met' : 'NOT met'}`);
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  } finally {
    await server?.stop().catch(() => undefined);
    await direct.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

await main();
