// Shared pieces of the queue runner's integration specs: the daemon's environment, waiting for a
// build to finish, and finding a builder's processes.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { zstdDecompressSync } from 'node:zlib';
import { listLogChunks, queryMaybeOne, type Queryable } from '@fc/db';

export const FIXTURE_JOBS = join(fileURLToPath(new URL('.', import.meta.url)), 'fixture-jobs.nix');

export function builderEnv(
  databaseUrl: string,
  dirs: { logDir: string; rootsDir: string; workDir: string },
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
