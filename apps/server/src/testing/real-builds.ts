// Spec helper: real builds for the server's specs. Instantiates a job of live-jobs.nix, inserts its
// project, jobset, evaluation and build rows and sends its job (what the evaluator does), and runs the
// built fc-queue-runner on the same database to build it with Nix.
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ResultPromise } from 'execa';
import { withTransaction, type Pool, type Queryable } from '@fc/db';
import { enqueueBuild } from '@fc/builds';
import type { Boss } from '@fc/queue';
import { startApp } from '@fc/testing';

const run = promisify(execFile);

export const LIVE_JOBS = join(fileURLToPath(new URL('.', import.meta.url)), 'live-jobs.nix');

export function randomNonce(): string {
  return `${Date.now()}${Math.floor(Math.random() * 1000)}`;
}

export interface LiveJobset {
  readonly projectId: number;
  readonly jobsetId: number;
  readonly evaluationId: number;
}

/** A project and jobset with one succeeded evaluation to hang builds on. */
export async function createLiveJobset(db: Queryable, project: string, jobset = 'main'): Promise<LiveJobset> {
  const p = await db.query<{ id: string }>(
    `INSERT INTO projects (name, repository_url) VALUES ($1, 'file:///dev/null') RETURNING id`,
    [project],
  );
  const projectId = Number(p.rows[0]!.id);
  const j = await db.query<{ id: string }>(
    `INSERT INTO jobsets (project_id, name, nix_expression) VALUES ($1, $2, 'default.nix') RETURNING id`,
    [projectId, jobset],
  );
  const jobsetId = Number(j.rows[0]!.id);
  const e = await db.query<{ id: string }>(
    `INSERT INTO evaluations (jobset_id, project_id, status) VALUES ($1, $2, 'succeeded') RETURNING id`,
    [jobsetId, projectId],
  );
  return { projectId, jobsetId, evaluationId: Number(e.rows[0]!.id) };
}

/** `nix-instantiate live-jobs.nix -A attr`, its build row and outputs, and its job; returns the id. */
export async function queueLiveBuild(
  pool: Pool,
  boss: Boss,
  jobset: LiveJobset,
  attr: string,
  args: { nonce: string; marker?: string; job?: string },
): Promise<number> {
  const argv = [LIVE_JOBS, '-A', attr, '--argstr', 'nonce', args.nonce];
  if (args.marker !== undefined) argv.push('--argstr', 'marker', args.marker);
  const drvPath = (await run('nix-instantiate', argv)).stdout.trim().split('\n').at(-1)!;
  const show = await run('nix', ['--extra-experimental-features', 'nix-command', 'show-derivation', drvPath]);
  const drv = Object.values(
    JSON.parse(show.stdout) as Record<string, { system: string; outputs: Record<string, { path: string }> }>,
  )[0]!;
  return withTransaction(pool, async (tx) => {
    const r = await tx.query<{ id: string }>(
      `INSERT INTO builds (project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        jobset.projectId,
        jobset.jobsetId,
        jobset.evaluationId,
        args.job ?? attr,
        `${attr}-${args.nonce}`,
        drvPath,
        drv.system,
      ],
    );
    const id = Number(r.rows[0]!.id);
    for (const [name, o] of Object.entries(drv.outputs)) {
      await tx.query('INSERT INTO build_outputs (build_id, name, path) VALUES ($1, $2, $3)', [
        id,
        name,
        o.path,
      ]);
    }
    await enqueueBuild(tx, boss, { id, priority: 100, globalPriority: 0, jobsetId: jobset.jobsetId });
    return id;
  });
}

export interface QueueRunner {
  readonly logDir: string;
  stop(): Promise<void>;
}

/** Starts the built fc-queue-runner (one worker) on the database; its own log goes to its work dir. */
export function startQueueRunner(databaseUrl: string, extra: Record<string, string> = {}): QueueRunner {
  const logDir = mkdtempSync(join(tmpdir(), 'fc-live-logs-'));
  const rootsDir = mkdtempSync(join(tmpdir(), 'fc-live-roots-'));
  const workDir = mkdtempSync(join(tmpdir(), 'fc-live-work-'));
  const daemon: ResultPromise = startApp('builder', [], {
    env: {
      FC_DATABASE__URL: databaseUrl,
      FC_DATABASE__MIN_CONNECTIONS: '0',
      FC_LOGS__LOG_DIR: logDir,
      FC_GC__GC_ROOTS_DIR: rootsDir,
      FC_QUEUE_RUNNER__WORK_DIR: workDir,
      FC_QUEUE_RUNNER__WORKERS: '1',
      FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
      ...extra,
    },
  });
  daemon.stderr?.pipe(createWriteStream(join(workDir, 'fc-queue-runner.log')));
  let exited = false;
  void daemon.then(() => (exited = true));
  return {
    logDir,
    stop: async () => {
      if (!exited) {
        daemon.kill('SIGTERM');
        await daemon;
      }
      rmSync(logDir, { recursive: true, force: true });
      rmSync(rootsDir, { recursive: true, force: true });
    },
  };
}
