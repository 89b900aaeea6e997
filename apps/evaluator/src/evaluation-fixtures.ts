// Test support for the evaluator's specs: local git repositories holding FC's own fixtures, and
// project/jobset rows pointing at them. (Specs only; nothing here runs in the daemon.)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Queryable } from '@fc/db';
import { createSilentLogger } from '@fc/logging';
import { createBoss, type Boss } from '@fc/queue';
import type { ResultPromise } from 'execa';
import { createTestDatabase, startApp, type AppName, type TestDatabase } from '@fc/testing';
import type { EvaluatorDeps, EvaluatorSettings } from './evaluation/evaluate-jobset.handler';

/** This machine's Nix system, for fixtures evaluated pure (a flake's). */
export const NIX_SYSTEM = `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux`;

// Identity and isolation from the user's git configuration, as arguments (no environment reads).
const GIT = ['-c', 'user.name=FC', '-c', 'user.email=fc@example.invalid', '-c', 'commit.gpgsign=false'];

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A git repository with `files` committed; returns its path. */
export function gitRepo(files: Record<string, string>): string {
  const dir = tempDir('fc-eval-repo-');
  execFileSync('git', [...GIT, 'init', '--quiet', '--initial-branch=main', dir]);
  commitFiles(dir, files);
  return dir;
}

/** Writes `files` and commits them; returns the new revision. */
export function commitFiles(repo: string, files: Record<string, string>, message = 'update'): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, name)), { recursive: true });
    writeFileSync(join(repo, name), content);
  }
  execFileSync('git', [...GIT, '-C', repo, 'add', '--all']);
  execFileSync('git', [...GIT, '-C', repo, 'commit', '--quiet', '--allow-empty', '-m', message]);
  return execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
}

export interface JobsetSpec {
  readonly repositoryUrl: string;
  readonly nixExpression?: string;
  readonly flakeMode?: boolean;
  readonly branch?: string | null;
  readonly checkInterval?: number;
  readonly state?: string;
  readonly inputs?: readonly {
    name: string;
    type: string;
    value: string;
    branch?: string | null;
    secret?: boolean;
  }[];
}

let counter = 0;

/** A project and one jobset; returns the jobset id. */
export async function createJobset(
  db: Queryable,
  spec: JobsetSpec,
): Promise<{ projectId: number; jobsetId: number }> {
  counter++;
  const p = await db.query<{ id: number }>(
    `INSERT INTO projects (name, repository_url) VALUES ($1, $2) RETURNING id`,
    [`p${process.pid}-${counter}`, spec.repositoryUrl],
  );
  const projectId = Number(p.rows[0]!.id);
  const j = await db.query<{ id: number }>(
    `INSERT INTO jobsets (project_id, name, flake_mode, nix_expression, branch, check_interval, state)
     VALUES ($1, 'main', $2, $3, $4, $5, $6) RETURNING id`,
    [
      projectId,
      spec.flakeMode ?? false,
      spec.nixExpression ?? 'release.nix',
      spec.branch ?? null,
      spec.checkInterval ?? 0,
      spec.state ?? 'enabled',
    ],
  );
  const jobsetId = Number(j.rows[0]!.id);
  for (const i of spec.inputs ?? []) {
    await db.query(
      `INSERT INTO jobset_inputs (jobset_id, name, type, value, branch, secret) VALUES ($1, $2, $3, $4, $5, $6)`,
      [jobsetId, i.name, i.type, i.value, i.branch ?? null, i.secret ?? false],
    );
  }
  return { projectId, jobsetId };
}

/** A derivation helper for fixtures: `mk name attrs` builds a file holding `text`. */
export const MK_NIX = `rec {
  mk = name: attrs: derivation ({
    inherit name;
    # A flake is evaluated pure, without currentSystem.
    system = builtins.currentSystem or "${NIX_SYSTEM}";
    builder = "/bin/sh";
    args = [ "-c" "echo \${name} > $out" ];
  } // attrs);
}
`;

/**
 * What each evaluator spec file starts with: a cloned database, a started pg-boss, a work dir; and
 * the built daemons a spec starts on that database, stopped (SIGTERM, awaited) before it is dropped.
 */
export interface EvaluatorTestEnv {
  readonly db: TestDatabase;
  readonly boss: Boss;
  readonly workDir: string;
  /** Starts a built daemon with the database's URL and debug logs, plus `env`. */
  startDaemon(app: AppName, env: Record<string, string>): ResultPromise;
  /** Stops (SIGTERM, awaited) every daemon started so far. */
  stopDaemons(): Promise<void>;
  /** What the evaluate-jobset handler needs, run in-process: restricted, silent, short timeouts. */
  handlerDeps(over?: Partial<EvaluatorSettings>): EvaluatorDeps;
  stop(): Promise<void>;
}

export async function startEvaluatorTestEnv(workDirPrefix: string): Promise<EvaluatorTestEnv> {
  const db = await createTestDatabase();
  const boss = createBoss({ url: db.url, supervise: false });
  await boss.start();
  const daemons: ResultPromise[] = [];
  const stopDaemons = async () => {
    for (const daemon of daemons.splice(0)) {
      daemon.kill('SIGTERM');
      await daemon;
    }
  };
  const workDir = tempDir(workDirPrefix);
  return {
    db,
    boss,
    workDir,
    handlerDeps: (over = {}) => ({
      pool: db.pool,
      boss,
      logger: createSilentLogger(),
      settings: {
        workDir,
        gitTimeout: 60,
        nixTimeout: 120,
        restrictEval: true,
        allowIfd: false,
        heartbeatMs: 1000,
        ...over,
      },
    }),
    startDaemon: (app, env) => {
      const daemon = startApp(app, [], {
        env: { FC_DATABASE__URL: db.url, FC_DATABASE__MIN_CONNECTIONS: '0', FC_LOGS__LEVEL: 'debug', ...env },
      });
      daemons.push(daemon);
      return daemon;
    },
    stopDaemons,
    stop: async () => {
      await stopDaemons();
      await boss.stop({ graceful: false, close: true });
      await db.drop();
    },
  };
}

/** Polls `fn` every 200 ms until it gives a value; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
