// npm run demo: FC with all three daemons on this machine, on an embedded PostgreSQL (or the database
// at FC_DATABASE__URL), seeded with the demo keys, a demo user and a demo project. Data lives in
// .fc-demo/ (delete it to start over). Ctrl-C stops the daemons (a running build is handed back),
// then PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createPool, migrateUp, redactUrl, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@fc/db';
import { demoPlaces } from './demo-places';
import { ensureDemoRepo } from './demo-repo';
import { DEMO_KEYS, DEMO_USER, seedDemoKeys, seedDemoProject } from './demo-seed';

const root = resolve(process.env['FC_DEMO_ROOT'] ?? process.cwd());
const port = Number(process.env['FC_DEMO_PORT'] ?? 3000);
const pgPort = Number(process.env['FC_DEMO_PG_PORT'] ?? 54330);
const givenDatabase = process.env['FC_DATABASE__URL'];
/** A daemon that has not stopped this long after SIGTERM is killed (the queue runner drains for 10 s). */
const STOP_GRACE_MS = 30_000;

function log(line: string): void {
  process.stdout.write(`[demo] ${line}\n`);
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

async function waitHealthy(base: string, children: readonly ChildProcess[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (children.some((c) => c.exitCode !== null || c.signalCode !== null))
      throw new Error('a daemon exited');
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${base}/health did not answer within 2 minutes`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function banner(base: string, databaseUrl: string): string {
  return [
    '',
    'FC is running.',
    `  Dashboard   ${base}/`,
    `  Log in      ${base}/login  as ${DEMO_USER.username} / ${DEMO_USER.password}, or with an API key`,
    ...DEMO_KEYS.map((k) => `  API key     ${k.token.padEnd(22)} (${k.role})`),
    `  Database    ${databaseUrl}`,
    `  Try         curl -s ${base}/api/v1/builds -H 'Authorization: Bearer ${DEMO_KEYS[0].token}'`,
    "  The demo project's jobs are in .fc-demo/demo-repo (edit release.nix there, or tools/demo/jobs).",
    'Ctrl-C stops the daemons, then PostgreSQL; the data stays in .fc-demo/ for the next run.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const places = demoPlaces(root);
  ensureDemoRepo(places.repoDir, join(root, 'tools', 'demo', 'jobs'));

  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl: string;
  if (givenDatabase) {
    databaseUrl = givenDatabase;
    log('using the database at FC_DATABASE__URL');
  } else {
    log(`starting PostgreSQL on 127.0.0.1:${pgPort} (data in ${places.pgDataDir})`);
    embedded = await startEmbeddedPostgres({
      dataDir: places.pgDataDir,
      port: pgPort,
      binCacheDir: places.pgBinCacheDir,
    });
    await ensureDatabase(embedded.adminUrl, 'fc');
    databaseUrl = embedded.urlFor('fc');
  }
  const children: { app: string; child: ChildProcess }[] = [];
  let stopping = false;

  async function stop(code: number): Promise<never> {
    if (!stopping) {
      stopping = true;
      log('stopping the daemons');
      // The server and the evaluator first, then the queue runner (it hands back a running build).
      for (const { app, child } of [...children].reverse()) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          log(`${app} did not stop in ${STOP_GRACE_MS / 1000} s: killing it`);
          child.kill('SIGKILL');
        }, STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      if (embedded) {
        log('stopping PostgreSQL');
        await embedded.stop();
        embedded = undefined;
      }
    }
    process.exit(code);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));
  // Whatever else ends this process, nothing it started may outlive it.
  process.on('exit', () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    if (embedded) {
      try {
        process.kill(embedded.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  });

  try {
    const pool = createPool({ url: databaseUrl, maxConnections: 2 });
    try {
      const { applied } = await migrateUp(pool, join(root, 'db', 'migrations'));
      log(applied.length ? `applied ${applied.length} migration(s)` : 'schema up to date');
      await seedDemoKeys(pool);
    } finally {
      await pool.end();
    }

    const state = places.stateDir;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FC_DATABASE__URL: databaseUrl,
      FC_SERVER__PORT: String(port),
      FC_SERVER__SESSION_SECRET: process.env['FC_SERVER__SESSION_SECRET'] ?? 'fc-demo-session-secret',
      FC_EVALUATOR__WORK_DIR: join(state, 'evaluator'),
      FC_EVALUATOR__POLL_INTERVAL: process.env['FC_EVALUATOR__POLL_INTERVAL'] ?? '10',
      FC_QUEUE_RUNNER__WORK_DIR: join(state, 'queue-runner'),
      FC_LOGS__LOG_DIR: join(state, 'logs'),
      FC_GC__GC_ROOTS_DIR: join(state, 'gcroots'),
    };
    for (const app of ['builder', 'evaluator', 'server']) {
      // Each in its own process group: a Ctrl-C reaches the demo only, which stops them in order.
      const child = spawn(
        process.execPath,
        ['--enable-source-maps', join(root, 'dist', 'apps', app, 'main.js')],
        {
          env,
          stdio: ['ignore', 'inherit', 'inherit'],
          detached: true,
        },
      );
      children.push({ app, child });
      child.on('exit', (code, signal) => {
        if (stopping) return;
        log(`${app} exited (${signal ?? code}); stopping the demo`);
        void stop(1);
      });
    }
    const base = `http://127.0.0.1:${port}`;
    await waitHealthy(
      base,
      children.map((c) => c.child),
    );
    const seeded = await seedDemoProject(base, places.repoDir);
    if (seeded.created) log('created the demo project and asked for its first evaluation');
    // The embedded database's password is the demo's to show; a given database's is not.
    process.stdout.write(banner(base, embedded ? databaseUrl : redactUrl(databaseUrl)));
  } catch (e) {
    process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    await stop(1);
  }
}

void main();
