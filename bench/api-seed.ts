// The API benchmark's installation: 1,000,000 builds (FC_BENCH_BUILDS) over 20 projects, 100 jobsets
// and 1,000 evaluations, and a nixpkgs-sized jobset's two evaluations (250,000 jobs,
// FC_BENCH_LARGE_EVALUATION) below them in the history, seeded once per schema version into a
// template database and cloned for each run (a clone takes seconds; seeding takes minutes on 2 cores).
//
// Shaped like a busy Hydra: evaluations interleave across jobsets over ~11 days (one build a
// second), each evaluation builds the same 1,000 jobs again, job 0 of each is an aggregate of jobs
// 1-10; the newest 1% of builds are unfinished (500 of them running on 8 machines, a few bumped),
// the rest succeeded but for a few failures of each kind; every build has an output, one in 7 a
// second, one in 50 a product and a metric, one in 10 a build step.
//
// The large jobset (project nixpkgs, jobset trunk) is the oldest part of the history (its builds and
// evaluations have the lowest ids), so the lists' first pages are the busy installation's: its first
// evaluation built every job (one in 23 failed); its second, as a nixpkgs evaluation does, dropped
// 0.5% of the jobs, added 0.5% new ones, rebuilt 1% of the rest (changed inputs; some now failing,
// some fixed, a few still queued or cancelled) and reused every other build of the first.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createPool, migrateUp, readMigrationFiles, type Pool } from '@fc/db';
import { createBoss, ensureQueues } from '@fc/queue';

/** Bump when the seeded data changes: the template's name includes it. */
const SEED_VERSION = 3;
const TEMPLATE_LOCK = 7_413_220_014;
/** Templates of older schemas or seeds kept besides the current one (other branches may use them). */
const KEEP_OTHER_TEMPLATES = 1;

export const PROJECTS = 20;
export const JOBSETS_PER_PROJECT = 5;
export const EVALS_PER_JOBSET = 10;
export const RUNNING = 500;
export const LARGE_PROJECT = 'nixpkgs';
export const LARGE_JOBSET = 'trunk';

export function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function templateName(
  builds: number,
  largeJobs: number,
  migrationsDir: string,
  bossPackageJson: string,
): string {
  const hash = createHash('sha256');
  for (const f of readMigrationFiles(migrationsDir)) hash.update(f.fileName).update(f.checksum);
  hash.update((JSON.parse(readFileSync(bossPackageJson, 'utf8')) as { version: string }).version);
  hash.update(`seed ${SEED_VERSION} builds ${builds} large ${largeJobs}`);
  return `fc_bench_api_tpl_${hash.digest('hex').slice(0, 12)}`;
}

/** Indexes that no constraint needs: dropped while the tables are filled, built again after. */
async function dropFreeIndexes(db: Pool, tables: string[]): Promise<string[]> {
  const { rows } = await db.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
     WHERE c.relname = ANY($1) AND c.relnamespace = 'public'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    [tables],
  );
  for (const r of rows) await db.query(`DROP INDEX ${r.name}`);
  return rows.map((r) => r.def);
}

/**
 * The large jobset's two evaluations (ids 1 and 2) and their builds (ids 1 up); returns how many
 * builds they created. The first evaluation builds jobs 0 .. jobs-1; the second has jobs
 * removed .. jobs+added-1, builds anew every hundredth job they share and the added ones, and reuses
 * the first's build of every other job.
 */
async function fillLarge(db: Pool, jobs: number, at: string): Promise<number> {
  if (jobs === 0) return 0;
  const removed = Math.floor(jobs / 200);
  const added = removed;
  await db.query(
    `INSERT INTO projects (name, repository_url) VALUES ($1, 'https://example.invalid/nixpkgs')`,
    [LARGE_PROJECT],
  );
  await db.query(
    `INSERT INTO jobsets (project_id, name, nix_expression)
     SELECT id, $2, 'pkgs/top-level/release.nix' FROM projects WHERE name = $1`,
    [LARGE_PROJECT, LARGE_JOBSET],
  );
  const first = jobs;
  const rebuilt = `(k >= $2::int AND k < $1::int AND k % 100 = 0) OR k >= $1::int`;
  await db.query(
    `INSERT INTO evaluations (id, jobset_id, project_id, status, revision, nr_builds, nr_new_builds,
       has_new_builds, jobs_evaluated, created_at, started_at, finished_at)
     SELECT n, j.id, j.project_id, 'succeeded', md5('large' || n), $2::int, CASE n WHEN 1 THEN $2::int ELSE $3::int END,
       true, $2::int,
       $1::timestamptz + n * interval '1 hour', $1::timestamptz + n * interval '1 hour',
       $1::timestamptz + n * interval '1 hour' + interval '20 minutes'
     FROM jobsets j, generate_series(1, 2) n WHERE j.name = $4`,
    [
      at,
      jobs,
      (
        await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM generate_series(0, $1::int + $3::int - 1) k WHERE ${rebuilt}`,
          [jobs, removed, added],
        )
      ).rows[0]!.n,
      LARGE_JOBSET,
    ],
  );
  await db.query(`SELECT setval('evaluations_id_seq', 2)`);
  // The first evaluation's builds: job k is build k + 1.
  await db.query(
    `INSERT INTO builds (id, project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system,
       finished, build_status, created_at, started_at, stopped_at)
     SELECT k + 1, e.project_id, e.jobset_id, 1, 'pkgs.pkg' || k, 'pkg' || k || '-1.0',
       '/nix/store/' || substr(md5('large' || k), 1, 32) || '-pkg' || k || '-1.0.drv', 'x86_64-linux',
       true, CASE WHEN k % 23 = 0 THEN 1 ELSE 0 END, e.created_at, e.created_at, e.finished_at
     FROM evaluations e, generate_series(0, $1::int - 1) k WHERE e.id = 1`,
    [jobs],
  );
  // The second's new builds (after them, in job order), a few still queued, some cancelled, some failing.
  await db.query(
    `INSERT INTO builds (id, project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system,
       finished, build_status, created_at, started_at, stopped_at)
     SELECT $1::int + row_number() OVER (ORDER BY k), e.project_id, e.jobset_id, 2, 'pkgs.pkg' || k, 'pkg' || k || '-1.1',
       '/nix/store/' || substr(md5('large2-' || k), 1, 32) || '-pkg' || k || '-1.1.drv', 'x86_64-linux',
       s.status IS NOT NULL, s.status, e.created_at,
       CASE WHEN s.status IS NOT NULL THEN e.created_at END, CASE WHEN s.status IS NOT NULL THEN e.finished_at END
     FROM evaluations e, generate_series(0, $1::int + $3::int - 1) k,
       LATERAL (SELECT CASE WHEN k % 2500 = 0 THEN NULL WHEN k % 1100 = 0 THEN 4 WHEN k % 300 = 0 THEN 1
                            ELSE 0 END::smallint AS status) s
     WHERE e.id = 2 AND (${rebuilt})`,
    [first, removed, added],
  );
  await db.query(
    `INSERT INTO evaluation_reused_builds (evaluation_id, build_id)
     SELECT 2, k + 1 FROM generate_series($2::int, $1::int - 1) k WHERE k % 100 <> 0`,
    [jobs, removed],
  );
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM builds`);
  return Number(rows[0]!.n);
}

async function fill(db: Pool, builds: number, largeJobs: number): Promise<void> {
  const evaluations = PROJECTS * JOBSETS_PER_PROJECT * EVALS_PER_JOBSET;
  const perEval = Math.floor(builds / evaluations);
  const unfinishedFrom = builds - Math.floor(builds / 100);
  const historyStart = new Date(Date.now() - (builds + 86_400) * 1000).toISOString();
  await db.query(
    `INSERT INTO projects (name, repository_url)
     SELECT 'p' || i, 'https://example.invalid/p' || i FROM generate_series(1, $1) i`,
    [PROJECTS],
  );
  await db.query(
    `INSERT INTO jobsets (project_id, name, nix_expression)
     SELECT p.id, 'j' || k, 'release.nix' FROM projects p, generate_series(1, $1) k ORDER BY p.id, k`,
    [JOBSETS_PER_PROJECT],
  );
  // Build i of the busy installation has id base + i.
  const base = await fillLarge(db, largeJobs, historyStart);
  // Round k of every jobset, then round k + 1: each jobset's evaluations spread over the history.
  await db.query(
    `INSERT INTO evaluations (jobset_id, project_id, status, revision, nr_builds, nr_new_builds,
       has_new_builds, jobs_evaluated, created_at, started_at, finished_at)
     SELECT jobset_id, project_id, 'succeeded', md5(jobset_id || ':' || k), $2, $2, true, $2, at, at, at + interval '1 minute'
     FROM (SELECT j.id AS jobset_id, j.project_id, k,
             now() - (($3 - (row_number() OVER (ORDER BY k, j.id) - 1) * $2) || ' seconds')::interval AS at
           FROM generate_series(1, $1) k, jobsets j WHERE j.name <> $4) e
     ORDER BY k, jobset_id`,
    [EVALS_PER_JOBSET, perEval, builds, LARGE_JOBSET],
  );
  // Build i belongs to evaluation (i - 1) / perEval (in id order) and is its job (i - 1) % perEval.
  await db.query(
    `WITH e AS (SELECT id, jobset_id, project_id, row_number() OVER (ORDER BY id) - 1 AS n FROM evaluations
                WHERE id > 2 OR $6::int = 0)
     INSERT INTO builds (id, project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system,
       priority, global_priority, is_aggregate, finished, build_status, runner, created_at, started_at, stopped_at)
     SELECT $5 + i, e.project_id, e.jobset_id, e.id, 'pkgs.job' || k, 'job' || k || '-1.0',
       '/nix/store/' || substr(md5(i::text), 1, 32) || '-job' || k || '-1.0.drv',
       CASE WHEN i % 10 = 0 THEN 'aarch64-linux' ELSE 'x86_64-linux' END,
       CASE WHEN k % 100 = 7 THEN 200 ELSE 100 END,
       CASE WHEN i > $2 AND i % 997 = 0 THEN 1 ELSE 0 END,
       k = 0,
       i <= $2,
       CASE WHEN i > $2 THEN NULL WHEN i % 17 = 0 THEN 1 WHEN i % 53 = 0 THEN 2 WHEN i % 97 = 0 THEN 3
            WHEN i % 211 = 0 THEN 4 ELSE 0 END,
       CASE WHEN i > $2 AND i <= $2 + $3 THEN 'runner-' || (i % 4) ELSE NULL END,
       at,
       CASE WHEN i <= $2 + $3 THEN at + interval '10 seconds' END,
       CASE WHEN i <= $2 THEN at + interval '40 seconds' END
     FROM generate_series(1, $1) i
     CROSS JOIN LATERAL (SELECT (i - 1) % $4 AS k, now() - (($1 - i) || ' seconds')::interval AS at) x
     JOIN e ON e.n = (i - 1) / $4`,
    [builds, unfinishedFrom, RUNNING, perEval, base, largeJobs],
  );
  await db.query(`SELECT setval('builds_id_seq', (SELECT max(id) FROM builds))`);
  await db.query(
    `INSERT INTO build_outputs (build_id, name, path)
     SELECT id, 'out', '/nix/store/' || substr(md5('o' || id), 1, 32) || '-out' FROM builds
     UNION ALL
     SELECT id, 'doc', '/nix/store/' || substr(md5('d' || id), 1, 32) || '-doc' FROM builds WHERE id % 7 = 0`,
  );
  await db.query(
    `INSERT INTO build_products (build_id, product_nr, type, subtype, file_size, sha256, path, name)
     SELECT id, 1, 'file', 'source-dist', 1000 + id % 1000, md5(id::text),
       '/nix/store/' || substr(md5('o' || id), 1, 32) || '-out/job.tar.gz', 'job.tar.gz'
     FROM builds WHERE id % 50 = 0 AND finished`,
  );
  await db.query(
    `INSERT INTO build_metrics (build_id, name, unit, value, project_id, jobset_id, job, recorded_at)
     SELECT id, 'time', 's', id % 300, project_id, jobset_id, job, stopped_at
     FROM builds WHERE id % 50 = 0 AND finished`,
  );
  await db.query(
    `INSERT INTO aggregate_constituents (aggregate_id, constituent_id)
     SELECT b.id, b.id + c FROM builds b, generate_series(1, 10) c WHERE b.is_aggregate AND b.id + c <= $1`,
    [base + builds],
  );
  await db.query(
    `INSERT INTO build_steps (build_id, step_nr, drv_path, system, busy, status, machine, start_time, stop_time)
     SELECT id, 1, drv_path, system, NOT finished, build_status, 'builder' || (id % 8), started_at, stopped_at
     FROM builds WHERE started_at IS NOT NULL AND (id % 10 = 0 OR NOT finished)`,
  );
}

/** The seeded template's name, seeding it first when this schema and seed have none. */
export async function ensureSeededTemplate(
  adminUrl: string,
  builds: number,
  largeJobs: number,
  migrationsDir: string,
  bossPackageJson: string,
  log: (line: string) => void,
): Promise<string> {
  const name = templateName(builds, largeJobs, migrationsDir, bossPackageJson);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const others = await admin.query<{ datname: string }>(
      // A seeding that failed left its _building database: not a template, so it does not count.
      `SELECT datname FROM pg_database WHERE datname LIKE 'fc\\_bench\\_api\\_tpl\\_%' AND datname <> $1
         AND datname NOT LIKE '%\\_building'
       ORDER BY oid DESC`,
      [name],
    );
    for (const { datname } of others.rows.slice(KEEP_OTHER_TEMPLATES)) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
    }
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) {
      log(`seeded template ${name} exists (${builds} builds)`);
      return name;
    }
    const building = `${name}_building`;
    await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${building}"`);
    const url = withDb(adminUrl, building);
    const db = createPool({ url, maxConnections: 1 });
    try {
      await migrateUp(db, migrationsDir);
      const boss = createBoss({ url, supervise: false });
      await boss.start();
      await ensureQueues(boss, { buildExpireSeconds: 3600, buildRetryLimit: 2 });
      await boss.stop({ graceful: false, close: true });
      let t = performance.now();
      const tables = [
        'builds',
        'build_outputs',
        'build_products',
        'build_metrics',
        'aggregate_constituents',
        'build_steps',
        'evaluation_reused_builds',
      ];
      const indexes = await dropFreeIndexes(db, tables);
      await fill(db, builds, largeJobs);
      log(
        `seeded ${builds} builds and a ${largeJobs}-job jobset in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      t = performance.now();
      await db.query(`SET maintenance_work_mem = '256MB'`);
      for (const def of indexes) await db.query(def);
      log(`built ${indexes.length} indexes in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      t = performance.now();
      await db.query('VACUUM (FREEZE, ANALYZE)');
      log(`vacuum analyze: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } finally {
      await db.end();
    }
    // Only a complete template gets the final name.
    await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    return name;
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => undefined);
    await admin.end();
  }
}
