// The API benchmark's installation: 1,000,000 builds (FC_BENCH_BUILDS) over 20 projects, 100 jobsets
// and 1,000 evaluations, seeded once per schema version into a template database and cloned for
// each run (a clone takes seconds; seeding takes minutes on 2 cores).
//
// Shaped like a busy Hydra: evaluations interleave across jobsets over ~11 days (one build a
// second), each evaluation builds the same 1,000 jobs again, job 0 of each is an aggregate of jobs
// 1-10; the newest 1% of builds are unfinished (500 of them running on 8 machines, a few bumped),
// the rest succeeded but for a few failures of each kind; every build has an output, one in 7 a
// second, one in 50 a product and a metric, one in 10 a build step.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createPool, migrateUp, readMigrationFiles, type Pool } from '@fc/db';
import { createBoss, ensureQueues } from '@fc/queue';

/** Bump when the seeded data changes: the template's name includes it. */
const SEED_VERSION = 2;
const TEMPLATE_LOCK = 7_413_220_014;
/** Templates of older schemas or seeds kept besides the current one (other branches may use them). */
const KEEP_OTHER_TEMPLATES = 1;

export const PROJECTS = 20;
export const JOBSETS_PER_PROJECT = 5;
export const EVALS_PER_JOBSET = 10;
export const RUNNING = 500;

export function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function templateName(builds: number, migrationsDir: string, bossPackageJson: string): string {
  const hash = createHash('sha256');
  for (const f of readMigrationFiles(migrationsDir)) hash.update(f.fileName).update(f.checksum);
  hash.update((JSON.parse(readFileSync(bossPackageJson, 'utf8')) as { version: string }).version);
  hash.update(`seed ${SEED_VERSION} builds ${builds}`);
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

async function fill(db: Pool, builds: number): Promise<void> {
  const evaluations = PROJECTS * JOBSETS_PER_PROJECT * EVALS_PER_JOBSET;
  const perEval = Math.floor(builds / evaluations);
  const unfinishedFrom = builds - Math.floor(builds / 100);
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
  // Round k of every jobset, then round k + 1: each jobset's evaluations spread over the history.
  await db.query(
    `INSERT INTO evaluations (jobset_id, project_id, status, revision, nr_builds, nr_new_builds,
       has_new_builds, jobs_evaluated, created_at, started_at, finished_at)
     SELECT jobset_id, project_id, 'succeeded', md5(jobset_id || ':' || k), $2, $2, true, $2, at, at, at + interval '1 minute'
     FROM (SELECT j.id AS jobset_id, j.project_id, k,
             now() - (($3 - (row_number() OVER (ORDER BY k, j.id) - 1) * $2) || ' seconds')::interval AS at
           FROM generate_series(1, $1) k, jobsets j) e
     ORDER BY k, jobset_id`,
    [EVALS_PER_JOBSET, perEval, builds],
  );
  // Build i belongs to evaluation (i - 1) / perEval (in id order) and is its job (i - 1) % perEval.
  await db.query(
    `WITH e AS (SELECT id, jobset_id, project_id, row_number() OVER (ORDER BY id) - 1 AS n FROM evaluations)
     INSERT INTO builds (id, project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system,
       priority, global_priority, is_aggregate, finished, build_status, runner, created_at, started_at, stopped_at)
     SELECT i, e.project_id, e.jobset_id, e.id, 'pkgs.job' || k, 'job' || k || '-1.0',
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
    [builds, unfinishedFrom, RUNNING, perEval],
  );
  await db.query(`SELECT setval('builds_id_seq', $1)`, [builds]);
  await db.query(
    `INSERT INTO build_outputs (build_id, name, path)
     SELECT i, 'out', '/nix/store/' || substr(md5('o' || i), 1, 32) || '-out' FROM generate_series(1, $1) i
     UNION ALL
     SELECT i, 'doc', '/nix/store/' || substr(md5('d' || i), 1, 32) || '-doc' FROM generate_series(7, $1, 7) i`,
    [builds],
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
    [builds],
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
  migrationsDir: string,
  bossPackageJson: string,
  log: (line: string) => void,
): Promise<string> {
  const name = templateName(builds, migrationsDir, bossPackageJson);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const others = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'fc\\_bench\\_api\\_tpl\\_%' AND datname <> $1
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
      ];
      const indexes = await dropFreeIndexes(db, tables);
      await fill(db, builds);
      log(`seeded ${builds} builds in ${((performance.now() - t) / 1000).toFixed(1)} s`);
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
