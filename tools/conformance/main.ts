// npm run conformance -- <hydra-jobs dir>: Hydra's test jobsets through FC's real evaluator code, on
// a fresh database migrated from db/migrations, checked against the conformance README's table.
// Each tools/conformance/*-checks.ts module (eval-checks here; build-checks from the queue runner)
// is bundled beside this file and its `checks` run in turn.
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { createPool, migrateUp } from '@fc/db';
import { createSilentLogger } from '@fc/logging';
import { createBoss, ensureQueues } from '@fc/queue';
import { evaluateJobsetJob } from '../../apps/evaluator/src/evaluation/evaluate-jobset.handler';
import type {
  ConformanceCheck,
  ConformanceContext,
  EvaluatedFixture,
  FixtureJobset,
} from './conformance-types';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const jobsArg = process.argv[2];
if (!jobsArg) {
  process.stderr.write('usage: npm run conformance -- <path to hydra-jobs>\n');
  process.exit(2);
}
const sourceDir = resolve(jobsArg);
const adminUrl = process.env['FC_CONFORMANCE_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function renderFixtures(into: string): void {
  cpSync(sourceDir, into, { recursive: true });
  const nixBuild = execFileSync('sh', ['-c', 'command -v nix-build'], { encoding: 'utf8' }).trim();
  const config = readFileSync(join(into, 'config.nix.in'), 'utf8')
    .replaceAll('@testPath@', '/usr/bin:/bin')
    .replaceAll('@bash@', '/bin/bash')
    .replaceAll('@system@', 'x86_64-linux')
    .replaceAll('@nixBinDir@', dirname(nixBuild));
  writeFileSync(join(into, 'config.nix'), config);
  // Flake fixtures evaluate basic.nix beside them.
  for (const flake of ['flake-hydraJobs', 'flake-checks']) {
    if (!existsSync(join(into, flake))) continue;
    for (const f of readdirSync(into)) {
      if (f === 'basic.nix' || f === 'config.nix' || f.endsWith('.sh'))
        cpSync(join(into, f), join(into, flake, f));
    }
  }
  const git = [
    '-c',
    'user.name=FC',
    '-c',
    'user.email=fc@example.invalid',
    '-c',
    'commit.gpgsign=false',
    '-C',
    into,
  ];
  execFileSync('git', [...git, 'init', '--quiet']);
  execFileSync('git', [...git, 'add', '--all']);
  execFileSync('git', [...git, 'commit', '--quiet', '-m', 'fixtures']);
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'fc-conformance-'));
  const jobsDir = join(scratch, 'jobs');
  renderFixtures(jobsDir);
  const dbName = `fc_conformance_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const pool = createPool({ url: url.toString(), maxConnections: 5 });
  const boss = createBoss({ url: url.toString(), supervise: false });
  let failed = 0;
  let passed = 0;
  try {
    await migrateUp(pool, join(root, 'db', 'migrations'));
    await boss.start();
    await ensureQueues(boss, { buildExpireSeconds: 3600, buildRetryLimit: 2 });
    let counter = 0;
    const ctx: ConformanceContext = {
      pool,
      boss,
      jobsDir,
      scratchDir: scratch,
      createJobset: async (f: FixtureJobset) => {
        counter++;
        const p = await pool.query<{ id: number }>(
          'INSERT INTO projects (name, repository_url) VALUES ($1, $2) RETURNING id',
          [`conformance-${counter}`, `file://${f.repositoryPath ?? jobsDir}`],
        );
        const j = await pool.query<{ id: number }>(
          `INSERT INTO jobsets (project_id, name, flake_mode, nix_expression, check_interval)
           VALUES ($1, 'jobs', $2, $3, 0) RETURNING id`,
          [p.rows[0]!.id, f.flake ?? false, f.expression],
        );
        const jobsetId = j.rows[0]!.id;
        for (const i of f.inputs ?? []) {
          await pool.query(
            'INSERT INTO jobset_inputs (jobset_id, name, type, value) VALUES ($1, $2, $3, $4)',
            [jobsetId, i.name, i.type, i.value],
          );
        }
        return jobsetId;
      },
      evaluate: async (jobsetId, options = {}): Promise<EvaluatedFixture> => {
        const outcome = await evaluateJobsetJob(
          {
            pool,
            boss,
            logger: createSilentLogger(),
            settings: {
              workDir: join(scratch, 'work'),
              gitTimeout: 120,
              nixTimeout: 600,
              restrictEval: true,
              allowIfd: false,
              heartbeatMs: 5000,
            },
          },
          randomUUID(),
          { jobsetId, force: options.force ?? false, reason: 'api' },
        );
        const e = (
          await pool.query('SELECT * FROM evaluations WHERE jobset_id = $1 ORDER BY id DESC LIMIT 1', [
            jobsetId,
          ])
        ).rows[0] as Record<string, unknown>;
        const builds = (
          await pool.query(
            `SELECT b.* FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id WHERE eb.evaluation_id = $1`,
            [e['id']],
          )
        ).rows as Record<string, unknown>[];
        const errors = (
          await pool.query('SELECT job, message FROM evaluation_errors WHERE evaluation_id = $1', [e['id']])
        ).rows as { job: string; message: string }[];
        const links = (
          await pool.query(
            `SELECT a.job AS aggregate, c.job AS constituent FROM aggregate_constituents ac
             JOIN builds a ON a.id = ac.aggregate_id JOIN builds c ON c.id = ac.constituent_id
             JOIN evaluation_builds eb ON eb.build_id = a.id AND eb.evaluation_id = $1`,
            [e['id']],
          )
        ).rows as { aggregate: string; constituent: string }[];
        const constituents = new Map<string, string[]>();
        for (const l of links)
          constituents.set(l.aggregate, [...(constituents.get(l.aggregate) ?? []), l.constituent].sort());
        return {
          jobsetId,
          evaluationId: e['id'] as number,
          outcome,
          evaluation: e,
          builds: new Map(builds.map((b) => [b['job'] as string, b])),
          errors: new Map(errors.map((r) => [r.job, r.message])),
          constituents,
        };
      },
    };
    const modules = readdirSync(here)
      .filter((f) => f.endsWith('-checks.mjs'))
      .sort();
    for (const m of modules) {
      const { checks } = (await import(pathToFileURL(join(here, m)).href)) as {
        checks: readonly ConformanceCheck[];
      };
      process.stdout.write(`\n== ${m.replace(/\.mjs$/, '')}\n`);
      for (const c of checks) {
        const started = Date.now();
        try {
          await c.run(ctx);
          passed++;
          process.stdout.write(`PASS ${c.name} (${Date.now() - started} ms)\n`);
        } catch (e) {
          failed++;
          process.stdout.write(`FAIL ${c.name}: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      }
    }
    process.stdout.write(`\nconformance: ${passed} passed, ${failed} failed\n`);
  } finally {
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
