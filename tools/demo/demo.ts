// npm run demo: FC on an embedded PostgreSQL, with all three daemons, on this machine.
// Data lives in .fc-demo/ (delete it to start over). Ctrl-C stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createPool, migrateUp, startEmbeddedPostgres } from '@fc/db';

const root = resolve(process.env['FC_DEMO_ROOT'] ?? process.cwd());
const stateDir = join(root, '.fc-demo');
const port = Number(process.env['FC_DEMO_PORT'] ?? 3000);
const pgPort = Number(process.env['FC_DEMO_PG_PORT'] ?? 54330);

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

async function main(): Promise<void> {
  mkdirSync(stateDir, { recursive: true });
  log(`starting embedded PostgreSQL on 127.0.0.1:${pgPort} (data in ${join(stateDir, 'pg')})`);
  const embedded = await startEmbeddedPostgres({ dataDir: join(stateDir, 'pg'), port: pgPort });
  await ensureDatabase(embedded.adminUrl, 'fc');
  const url = embedded.urlFor('fc');
  const pool = createPool({ url, maxConnections: 2 });
  const { applied } = await migrateUp(pool, join(root, 'db', 'migrations'));
  await pool.end();
  log(applied.length ? `applied ${applied.length} migration(s)` : 'schema up to date');

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FC_DATABASE__URL: url,
    FC_SERVER__PORT: String(port),
    FC_EVALUATOR__WORK_DIR: join(stateDir, 'evaluator'),
    FC_QUEUE_RUNNER__WORK_DIR: join(stateDir, 'queue-runner'),
    FC_LOGS__LOG_DIR: join(stateDir, 'logs'),
    FC_GC__GC_ROOTS_DIR: join(stateDir, 'gcroots'),
  };
  const children: ChildProcess[] = [];
  for (const app of ['server', 'evaluator', 'builder']) {
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', join(root, 'dist', 'apps', app, 'main.js')],
      {
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    children.push(child);
    child.on('exit', (code, signal) => {
      if (!stopping) {
        log(`${app} exited (${signal ?? code}); stopping the demo`);
        void stop(1);
      }
    });
  }
  log(`FC is starting: http://127.0.0.1:${port}/health (Ctrl-C to stop)`);

  let stopping = false;
  async function stop(code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())),
    );
    await embedded.stop();
    process.exit(code);
  }
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
