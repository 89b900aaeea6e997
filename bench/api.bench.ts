// npm run bench -- api: fc-server's builds list and stats at 1,000,000 builds. 16 concurrent clients;
// p50/p99 of the HTTP endpoint beside the same SQL run directly on a pool in the same run.
// Target: p99 < 50 ms. The dashboard's pages (/builds, /queue, /build in the first table; home and
// /jobset in the second) beside the REST request for the same data; target: each page's p99 < 100 ms. FC_BENCH_BUILDS changes the size; FC_BENCH_DATABASE_URL the server.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  buildListQuery,
  countBuildsUpTo,
  createPool,
  FINISHED_BUILD_COUNTS_SQL,
  LIVE_BUILD_COUNTS_SQL,
  listBuilds,
  listQueuedBuildsInOrder,
  listRunningBuilds,
  liveBuildCounts,
  migrateUp,
  RECENTLY_FINISHED_SQL,
  type BuildFilter,
  type Pool,
} from '@fc/db';
import { createBoss, ensureQueues } from '@fc/queue';
import { EXACT_TOTAL_CAP } from '../apps/server/src/services/build.service';

const BUILDS = Number(process.env['FC_BENCH_BUILDS'] ?? 1_000_000);
const PROJECTS = 20;
const JOBSETS_PER_PROJECT = 5;
const EVALS_PER_JOBSET = 10;
const CONCURRENCY = 16;
const REQUESTS = Number(process.env['FC_BENCH_REQUESTS'] ?? 2000);
const adminUrl = process.env['FC_BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// The bundle runs from dist/bench/.
const migrationsDir = fileURLToPath(new URL('../../db/migrations', import.meta.url));

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function fill(pool: Pool): Promise<void> {
  const jobsets = PROJECTS * JOBSETS_PER_PROJECT;
  await pool.query(
    `INSERT INTO projects (name, repository_url) SELECT 'p' || i, 'https://example.invalid/p' || i FROM generate_series(1, $1) i`,
    [PROJECTS],
  );
  await pool.query(
    `INSERT INTO jobsets (project_id, name, nix_expression)
     SELECT p.id, 'j' || k, 'release.nix' FROM projects p, generate_series(1, $1) k`,
    [JOBSETS_PER_PROJECT],
  );
  await pool.query(
    `INSERT INTO evaluations (jobset_id, project_id, status, revision, nr_builds, started_at, finished_at)
     SELECT j.id, j.project_id, 'succeeded', md5(j.id::text || k), $2, now(), now()
     FROM jobsets j, generate_series(1, $1) k`,
    [EVALS_PER_JOBSET, Math.floor(BUILDS / (jobsets * EVALS_PER_JOBSET))],
  );
  // Builds spread over every evaluation; 1% unfinished (half running), the rest mostly succeeded.
  await pool.query(
    `WITH e AS (SELECT id, jobset_id, project_id, row_number() OVER (ORDER BY id) - 1 AS n FROM evaluations),
     nevals AS (SELECT count(*) AS c FROM evaluations)
     INSERT INTO builds (project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system, finished,
       build_status, started_at, stopped_at, created_at)
     SELECT e.project_id, e.jobset_id, e.id, 'pkgs.job' || (i % 500), 'job' || (i % 500) || '-1.0',
       '/nix/store/' || substr(md5(i::text), 1, 32) || '-job' || (i % 500) || '-1.0.drv',
       CASE WHEN i % 10 = 0 THEN 'aarch64-linux' ELSE 'x86_64-linux' END,
       i % 100 <> 0,
       CASE WHEN i % 100 = 0 THEN NULL WHEN i % 17 = 0 THEN 1 WHEN i % 53 = 0 THEN 2 WHEN i % 97 = 0 THEN 3 ELSE 0 END,
       CASE WHEN i % 200 = 0 THEN NULL ELSE now() - (($1 - i) || ' seconds')::interval END,
       CASE WHEN i % 100 = 0 THEN NULL ELSE now() - (($1 - i) || ' seconds')::interval + interval '30 seconds' END,
       now() - (($1 - i) || ' seconds')::interval
     FROM generate_series(1, $1) i, nevals
     JOIN e ON true
     WHERE e.n = (i - 1) * nevals.c / $1`,
    [BUILDS],
  );
  await pool.query(
    `INSERT INTO build_outputs (build_id, name, path)
     SELECT id, 'out', '/nix/store/' || substr(md5('o' || id), 1, 32) || '-' || nix_name FROM builds`,
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 50; i++) await fn();
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
    }),
  );
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function main(): Promise<void> {
  const name = `fc_bench_api_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = withDb(adminUrl, name);
  const pool = createPool({ url, maxConnections: CONCURRENCY });
  const direct = createPool({ url, maxConnections: CONCURRENCY });
  const boss = createBoss({ url, supervise: false });
  try {
    await migrateUp(pool, migrationsDir);
    await boss.start();
    await ensureQueues(boss, { buildExpireSeconds: 3600, buildRetryLimit: 2 });
    let t = performance.now();
    await fill(pool);
    console.log(
      `filled ${BUILDS} builds (+ outputs, evaluation links) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    t = performance.now();
    await pool.query('VACUUM ANALYZE');
    console.log(`vacuum analyze: ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // The server runs as its own process (the built bundle), as in production: the benchmark's
    // clients do not share its event loop.
    const server = spawn(
      process.execPath,
      [fileURLToPath(new URL('../apps/server/main.js', import.meta.url))],
      {
        env: {
          ...process.env,
          FC_DATABASE__URL: url,
          FC_DATABASE__MAX_CONNECTIONS: String(CONCURRENCY),
          FC_SERVER__PORT: '0',
          FC_SERVER__SESSION_SECRET: 'bench',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const port = await new Promise<number>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`fc-server exited with ${code}`)));
      createInterface({ input: server.stderr }).on('line', (line) => {
        const m = /"port":(\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
        else if (!line.includes('"level":"info"')) process.stderr.write(`fc-server: ${line}\n`);
      });
    });
    const base = `http://127.0.0.1:${port}`;
    const jobsetId = (
      await pool.query<{ id: number }>('SELECT id FROM jobsets ORDER BY id LIMIT 1 OFFSET 42')
    ).rows[0]!.id;

    if (process.env['FC_BENCH_EXPLAIN']) {
      for (const filter of [{}, { jobsetId }] as BuildFilter[]) {
        const q = buildListQuery(filter, { limit: 50, offset: 0 });
        const plan = await direct.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.values);
        console.log(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
      }
    }
    const buildId = (
      await pool.query<{ id: number }>(
        'SELECT id FROM builds WHERE finished ORDER BY id DESC LIMIT 1 OFFSET 5000',
      )
    ).rows[0]!.id;
    const get = async (path: string) => {
      const r = await fetch(base + path);
      if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
      await r.arrayBuffer();
    };
    const listSql = (filter: BuildFilter) => async () => {
      // The same query functions the service calls (prepared statements included), without HTTP.
      await Promise.all([
        listBuilds(direct, filter, { limit: 50, offset: 0 }),
        countBuildsUpTo(direct, filter, EXACT_TOTAL_CAP),
      ]);
    };

    const rows: [string, { p50: number; p99: number }, { p50: number; p99: number }, string][] = [
      [
        'GET /api/v1/builds?limit=50',
        await measure(() => get('/api/v1/builds?limit=50')),
        await measure(listSql({})),
        'list query + capped count',
      ],
      [
        `GET /api/v1/builds?limit=50&jobset_id=${jobsetId}`,
        await measure(() => get(`/api/v1/builds?limit=50&jobset_id=${jobsetId}`)),
        await measure(listSql({ jobsetId })),
        'list query + capped count',
      ],
      [
        'GET /api/v1/builds/stats',
        await measure(() => get('/api/v1/builds/stats')),
        await measure(() =>
          Promise.all([direct.query(LIVE_BUILD_COUNTS_SQL), direct.query(RECENTLY_FINISHED_SQL)]),
        ),
        'live counts + last hour (what each request runs)',
      ],
      [
        'GET /api/v1/builds/stats (vs. uncached SQL)',
        await measure(() => get('/api/v1/builds/stats')),
        await measure(() =>
          Promise.all([
            direct.query(LIVE_BUILD_COUNTS_SQL),
            direct.query(RECENTLY_FINISHED_SQL),
            direct.query(FINISHED_BUILD_COUNTS_SQL),
          ]),
        ),
        'live counts + last hour + per-status count of every finished build',
      ],
      // The dashboard's build pages beside the REST call (or the SQL) that reads the same data.
      [
        'GET /builds (page)',
        await measure(() => get('/builds')),
        await measure(() => get('/api/v1/builds?limit=50')),
        'REST: GET /api/v1/builds?limit=50',
      ],
      [
        'GET /queue (page)',
        await measure(() => get('/queue')),
        await measure(() =>
          Promise.all([
            listQueuedBuildsInOrder(direct, 200),
            listRunningBuilds(direct, 200),
            liveBuildCounts(direct),
          ]),
        ),
        'its three queries (200 queued in order, 200 running, live counts)',
      ],
      [
        `GET /build/${buildId} (page)`,
        await measure(() => get(`/build/${buildId}`)),
        await measure(() => get(`/api/v1/builds/${buildId}`)),
        `REST: GET /api/v1/builds/${buildId}`,
      ],
    ];
    console.log(`\n${BUILDS} builds, ${CONCURRENCY} concurrent clients, ${REQUESTS} requests each\n`);
    console.log(
      '| endpoint | API p50 | API p99 | SQL p50 | SQL p99 | p50 ratio | p99 ratio | SQL baseline |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const [label, api, sql, what] of rows) {
      console.log(
        `| ${label} | ${api.p50.toFixed(1)} ms | ${api.p99.toFixed(1)} ms | ${sql.p50.toFixed(1)} ms | ${sql.p99.toFixed(1)} ms | ${(api.p50 / sql.p50).toFixed(2)} | ${(api.p99 / sql.p99).toFixed(2)} | ${what} |`,
      );
    }
    const worst = Math.max(...rows.map((r) => r[1].p99));
    console.log(
      `\ntarget p99 < 50 ms: ${worst < 50 ? 'met' : 'NOT met'} (worst API p99 ${worst.toFixed(1)} ms)`,
    );

    // The dashboard's home and jobset pages beside the REST list of the same data.
    const named = (
      await pool.query<{ project: string; jobset: string }>(
        `SELECT p.name AS project, j.name AS jobset
         FROM jobsets j JOIN projects p ON p.id = j.project_id WHERE j.id = $1`,
        [jobsetId],
      )
    ).rows[0]!;
    const pages: [string, { p50: number; p99: number }, string, { p50: number; p99: number }][] = [];
    for (const [page, api] of [
      ['/', '/api/v1/builds?limit=15'],
      [`/jobset/${named.project}/${named.jobset}`, `/api/v1/builds?limit=50&jobset_id=${jobsetId}`],
    ] as const) {
      pages.push([page, await measure(() => get(page)), api, await measure(() => get(api))]);
    }
    console.log('\n| page | page p50 | page p99 | REST | REST p50 | REST p99 | p99 ratio |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [page, html, api, json] of pages) {
      console.log(
        `| ${page} | ${html.p50.toFixed(1)} ms | ${html.p99.toFixed(1)} ms | ${api} | ${json.p50.toFixed(1)} ms | ${json.p99.toFixed(1)} ms | ${(html.p99 / json.p99).toFixed(2)} |`,
      );
    }
    const worstPage = Math.max(...pages.map((r) => r[1].p99));
    console.log(
      `\ntarget page p99 < 100 ms: ${worstPage < 100 ? 'met' : 'NOT met'} (worst page p99 ${worstPage.toFixed(1)} ms)`,
    );
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  } finally {
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await pool.end();
    await direct.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

await main();
