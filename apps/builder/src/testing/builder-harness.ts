// Shared pieces of the queue runner's integration specs: the daemon's environment and directories,
// a spec's database, pg-boss and running daemon, waiting for a build to finish, and finding a
// builder's processes.
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { zstdDecompressSync } from 'node:zlib';
import { afterAll, beforeAll } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { listLogChunks, queryMaybeOne, type Pool, type Queryable } from '@fc/db';
import { createBoss, type Boss } from '@fc/queue';
import { createTestDatabase, listenTo, startApp, type NotifyListener, type TestDatabase } from '@fc/testing';
import {
  createJobset,
  instantiate,
  queueBuilds,
  type FixtureBuild,
  type InstantiatedJob,
  type Jobset,
} from './build-fixture';

export const FIXTURE_JOBS = join(fileURLToPath(new URL('.', import.meta.url)), 'fixture-jobs.nix');

/** A queue runner's own directories: where it writes logs, its GC roots and its work files. */
export interface BuilderDirs {
  readonly logDir: string;
  readonly rootsDir: string;
  readonly workDir: string;
}

/** Fresh temporary directories for one queue runner, named `<prefix>-logs-…` and so on. */
export function builderDirs(prefix = 'fc-qr'): BuilderDirs {
  return {
    logDir: mkdtempSync(join(tmpdir(), `${prefix}-logs-`)),
    rootsDir: mkdtempSync(join(tmpdir(), `${prefix}-roots-`)),
    workDir: mkdtempSync(join(tmpdir(), `${prefix}-work-`)),
  };
}

export function removeBuilderDirs(dirs: BuilderDirs): void {
  for (const d of [dirs.logDir, dirs.rootsDir, dirs.workDir]) rmSync(d, { recursive: true, force: true });
}

/** Stops the daemons a spec started (SIGTERM, once: a second one makes a daemon exit at once) and
 * waits for them; shows the stderr of each that did not exit 0. */
export async function stopDaemons(daemons: readonly (ResultPromise | undefined)[]): Promise<void> {
  for (const d of daemons) d?.kill('SIGTERM');
  for (const d of daemons) {
    const r = await d;
    if (r && r.exitCode !== 0) process.stderr.write(String(r.stderr));
  }
}

export function builderEnv(
  databaseUrl: string,
  dirs: BuilderDirs,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    FC_DATABASE__URL: databaseUrl,
    FC_DATABASE__MIN_CONNECTIONS: '0',
    FC_LOGS__LOG_DIR: dirs.logDir,
    FC_GC__GC_ROOTS_DIR: dirs.rootsDir,
    FC_QUEUE_RUNNER__WORK_DIR: dirs.workDir,
    FC_QUEUE_RUNNER__WORKERS: '1',
    FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
    FC_LOGS__LEVEL: 'debug',
    ...extra,
  };
}

export const finishedBuild = z.object({
  id: z.number(),
  finished: z.boolean(),
  buildStatus: z.number().nullable(),
  errorMessage: z.string().nullable(),
  attempts: z.number(),
  isCached: z.boolean(),
  releaseName: z.string().nullable(),
  size: z.number().nullable(),
  closureSize: z.number().nullable(),
  logPath: z.string().nullable(),
  logSize: z.number().nullable(),
  startedAt: z.date().nullable(),
  stoppedAt: z.date().nullable(),
});
export type FinishedBuild = z.output<typeof finishedBuild>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export async function readBuild(db: Queryable, id: number): Promise<FinishedBuild> {
  const row = await queryMaybeOne(
    db,
    finishedBuild,
    `SELECT id, finished, build_status, error_message, attempts, is_cached, release_name, size, closure_size,
            log_path, log_size, started_at, stopped_at FROM builds WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error(`build ${id} does not exist`);
  return row;
}

/** A stored log (step 0: the build's own) as text, with how its chunks are encoded. */
export async function readStoredLog(
  db: Queryable,
  buildId: number,
  stepNr = 0,
): Promise<{ text: string; encodings: string[] }> {
  const chunks = await listLogChunks(db, buildId, stepNr, 0, 100_000);
  const text = Buffer.concat(
    chunks.map((c) => (c.encoding === 'zstd' ? zstdDecompressSync(c.data) : c.data)),
  ).toString('utf8');
  return { text, encodings: [...new Set(chunks.map((c) => c.encoding))] };
}

/** Polls until `predicate` holds for the build; fails after `timeoutMs`. */
export async function waitForBuild(
  db: Queryable,
  id: number,
  predicate: (b: FinishedBuild) => boolean = (b) => b.finished,
  timeoutMs = 60_000,
): Promise<FinishedBuild> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = await readBuild(db, id);
    if (predicate(b)) return b;
    if (Date.now() > deadline)
      throw new Error(`build ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(b)}`);
    await sleep(150);
  }
}

/** Polls until the build has a busy step (Nix is building it). */
export async function waitForBusyStep(db: Queryable, id: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await db.query('SELECT 1 FROM build_steps WHERE build_id = $1 AND busy', [id]);
    if (r.rowCount) return;
    if (Date.now() > deadline) throw new Error(`build ${id} has no busy step after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Pids of the processes whose command line contains every one of `args`. */
export function pidsWithArgs(...args: string[]): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.every((a) => argv.includes(a))) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

function parentPid(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
  } catch {
    return undefined;
  }
}

function isNixDaemonSession(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv[0]!.endsWith('nix-daemon') && argv.includes('--stdio');
  } catch {
    return false;
  }
}

/** The runner's `nix-daemon --stdio` sessions (its children). */
export function nixDaemonSessions(runnerPid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => isNixDaemonSession(pid) && parentPid(pid) === runnerPid);
}

/** Whether `pid` is a builder of the derivation named `name`: its environment's `name` (sandboxed
 * builds run in /build of their own mount namespace) or its working directory (unsandboxed builds
 * run in Nix's `nix-build-<name>.drv-N` directory). */
function isBuilderOf(pid: number, name: string): boolean {
  try {
    if (basename(readlinkSync(`/proc/${pid}/cwd`)).startsWith(`nix-build-${name}.drv-`)) return true;
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`name=${name}`);
  } catch {
    return false;
  }
}

/** The `nix-daemon --stdio` session building `drvPath`: the ancestor of its builder process. */
export function nixDaemonBuilding(drvPath: string): number | undefined {
  const name = basename(drvPath)
    .slice(33)
    .replace(/\.drv$/, '');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || !isBuilderOf(Number(entry), name)) continue;
    for (let pid = parentPid(Number(entry)); pid && pid > 1; pid = parentPid(pid))
      if (isNixDaemonSession(pid)) return pid;
  }
  return undefined;
}

export function randomNonce(): string {
  return String(Math.floor(Math.random() * 1e9));
}

/** What a queue runner's spec works with; `db`, `boss`, `jobset`, `daemon` (and `listener`) exist from
 * its `beforeAll` on. */
export interface QueueRunnerSpec {
  readonly db: TestDatabase;
  /** `db.pool`. */
  readonly pool: Pool;
  readonly boss: Boss;
  /** The daemon started before the spec's tests (not with `start: false`). */
  readonly daemon: ResultPromise;
  /** A project, jobset and evaluation to hang builds on. */
  readonly jobset: Jobset;
  /** Hydra's notifications on the channels the spec asked to `listen` to. */
  readonly listener: NotifyListener;
  /** Makes the spec's derivations its own: fixture-jobs.nix is instantiated with it. */
  readonly nonce: string;
  readonly dirs: BuilderDirs;
  /** Starts fc-queue-runner with `env` on top of {@link builderEnv}; it is stopped after the spec. */
  startBuilder(env?: Record<string, string>): ResultPromise;
  /** `attr` of fixture-jobs.nix, with the spec's nonce. */
  instantiate(attr: string): Promise<InstantiatedJob>;
  /** The builds on the spec's jobset, their jobs sent; their ids. */
  queueBuilds(builds: readonly FixtureBuild[]): Promise<number[]>;
  /** `attr` of fixture-jobs.nix queued as job `attr`; its build's id. */
  queue(attr: string, extra?: Partial<Omit<FixtureBuild, 'drv'>>): Promise<number>;
}

/**
 * Registers the `beforeAll` that creates the spec's database, pg-boss, jobset (and notification
 * listener) and starts fc-queue-runner with `env` on top of {@link builderEnv}, and the `afterAll`
 * that stops every daemon the spec started and removes the rest.
 */
export function setUpQueueRunner(
  options: {
    env?: Record<string, string>;
    /** `false`: the spec starts its daemons itself ({@link QueueRunnerSpec.startBuilder}). */
    start?: boolean;
    /** Channels to listen to from before the daemon starts. */
    listen?: readonly string[];
    /** Runs before the daemon starts: what it must find already there. */
    beforeStart?: () => Promise<void>;
  } = {},
): QueueRunnerSpec {
  let db: TestDatabase | undefined;
  let boss: Boss | undefined;
  let daemon: ResultPromise | undefined;
  let jobset: Jobset | undefined;
  let listener: NotifyListener | undefined;
  const daemons: ResultPromise[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the spec's ${what} is not there (before its beforeAll?)`);
    return value;
  };
  const spec: QueueRunnerSpec = {
    get db() {
      return ready(db, 'database');
    },
    get pool() {
      return spec.db.pool;
    },
    get boss() {
      return ready(boss, 'pg-boss');
    },
    get daemon() {
      return ready(daemon, 'daemon (setUpQueueRunner({ start: false }) starts none)');
    },
    get jobset() {
      return ready(jobset, 'jobset');
    },
    get listener() {
      return ready(listener, 'listener (setUpQueueRunner({ listen }))');
    },
    nonce: randomNonce(),
    dirs: builderDirs(),
    startBuilder(env = {}) {
      const started = startApp('builder', [], { env: builderEnv(spec.db.url, spec.dirs, env) });
      daemons.push(started);
      return started;
    },
    instantiate: (attr) => instantiate(FIXTURE_JOBS, attr, { nonce: spec.nonce }),
    queueBuilds: (builds) => queueBuilds(spec.pool, spec.boss, spec.jobset, builds),
    async queue(attr, extra = {}) {
      const [id] = await spec.queueBuilds([{ job: attr, drv: await spec.instantiate(attr), ...extra }]);
      return id!;
    },
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    jobset = await createJobset(db.pool);
    if (options.listen) listener = await listenTo(db.url, options.listen);
    await options.beforeStart?.();
    if (options.start !== false) daemon = spec.startBuilder(options.env);
  });

  afterAll(async () => {
    await stopDaemons(daemons);
    await listener?.close();
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    removeBuilderDirs(spec.dirs);
  });

  return spec;
}
