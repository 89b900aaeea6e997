// Spec helper for pull requests end to end: fc-server in process (the API harness), the built
// fc-evaluator and fc-queue-runner building with real Nix, a fake GitHub and a fake Gitea (@fc/testing's
// startFakeForge) for the commit statuses and collaborators' permissions, and local git repositories
// standing for the base repository and its forks.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ResultPromise } from 'execa';
import type { Logger } from '@fc/logging';
import {
  createTestDatabase,
  startApp,
  startFakeForge,
  type FakeForge,
  type FakeForgeKind,
} from '@fc/testing';
import { startApiHarness, type ApiHarness } from './api-harness';

const GIT = ['-c', 'user.name=FC', '-c', 'user.email=fc@example.invalid', '-c', 'commit.gpgsign=false'];

export const BASE_URL = 'https://ci.example.org';

export interface PullRequestEnv {
  readonly h: ApiHarness;
  /** The fake GitHub and the fake Gitea FC is configured for. */
  readonly forges: Readonly<Record<FakeForgeKind, FakeForge>>;
  readonly admin: string;
  /** A directory removed at stop. */
  tempDir(prefix: string): string;
  /** Starts the built fc-evaluator (polling every second). */
  startEvaluator(extraEnv?: Record<string, string>): void;
  /** Starts the built fc-queue-runner; stop() on the result ends it before the spec does. */
  startBuilder(extraEnv?: Record<string, string>): { stop(): Promise<void> };
  stop(): Promise<void>;
}

export const FORGE_TOKENS: Readonly<Record<FakeForgeKind, string>> = {
  github: 'gh-token',
  gitea: 'gt-token',
};

/** FC_* keys pointing FC's GitHub and Gitea at the fake forges. */
export function forgeEnv(forges: Readonly<Record<FakeForgeKind, FakeForge>>): Record<string, string> {
  return {
    FC_NOTIFICATIONS__GITHUB_TOKEN: FORGE_TOKENS.github,
    FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme',
    FC_NOTIFICATIONS__GITHUB_API_URL: forges.github.configUrl,
    FC_NOTIFICATIONS__GITEA_URL: forges.gitea.configUrl,
    FC_NOTIFICATIONS__GITEA_TOKEN: FORGE_TOKENS.gitea,
    FC_NOTIFICATIONS__GITEA_TOKEN_OWNERS: 'acme',
    FC_SERVER__BASE_URL: BASE_URL,
  };
}

export async function startPullRequestEnv(options: { logger?: Logger } = {}): Promise<PullRequestEnv> {
  const dirs: string[] = [];
  const daemons = new Set<ResultPromise>();
  const forges = {
    github: await startFakeForge({ kind: 'github', token: FORGE_TOKENS.github }),
    gitea: await startFakeForge({ kind: 'gitea', token: FORGE_TOKENS.gitea }),
  };
  const h = await startApiHarness(await createTestDatabase(), {
    env: forgeEnv(forges),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const daemonEnv = () => ({
    FC_DATABASE__URL: h.db.url,
    FC_DATABASE__MIN_CONNECTIONS: '0',
    ...forgeEnv(forges),
  });
  const admin = await h.key('admin');
  const tempDir = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  return {
    h,
    forges,
    admin,
    tempDir,
    startEvaluator: (extra = {}) => {
      const work = tempDir('fc-pr-evaluator-');
      daemons.add(
        startApp('evaluator', [], {
          env: {
            ...daemonEnv(),
            FC_EVALUATOR__POLL_INTERVAL: '1',
            FC_EVALUATOR__WORK_DIR: work,
            ...extra,
          },
        }),
      );
    },
    startBuilder: (extra = {}) => {
      const runner = tempDir('fc-pr-runner-');
      mkdirSync(join(runner, 'work'), { recursive: true });
      const daemon = startApp('builder', [], {
        env: {
          ...daemonEnv(),
          FC_LOGS__LOG_DIR: join(runner, 'logs'),
          FC_GC__GC_ROOTS_DIR: join(runner, 'gc-roots'),
          FC_QUEUE_RUNNER__WORK_DIR: join(runner, 'work'),
          FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
          ...extra,
        },
      });
      daemons.add(daemon);
      return {
        stop: async () => {
          daemons.delete(daemon);
          await stopDaemon(daemon);
        },
      };
    },
    stop: async () => {
      for (const d of daemons) await stopDaemon(d);
      await h.close();
      await forges.github.close();
      await forges.gitea.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

async function stopDaemon(d: ResultPromise): Promise<void> {
  d.kill('SIGTERM');
  const r = await d;
  if (r.exitCode !== 0) process.stderr.write(`${String(r.stderr).slice(-4000)}\n`);
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', [...GIT, '-C', dir, ...args], { encoding: 'utf8' }).trim();
}

/** A new repository at `dir` with `files` committed on main. */
export function initRepository(dir: string, files: Record<string, string>): string {
  execFileSync('git', [...GIT, 'init', '-q', '-b', 'main', dir]);
  return commitOn(dir, 'main', files);
}

/** A clone of `repo` at `dir` (a fork). */
export function forkRepository(repo: string, dir: string): void {
  execFileSync('git', [...GIT, 'clone', '-q', repo, dir]);
}

/** Commits `files` on `branch` (created from the current commit when new); the new commit's sha. */
export function commitOn(dir: string, branch: string, files: Record<string, string>): string {
  const exists = git(dir, 'branch', '--list', branch) !== '';
  git(dir, 'checkout', '-q', ...(exists ? [branch] : ['-b', branch]));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', `${branch}: ${Object.keys(files).join(', ')}`);
  return git(dir, 'rev-parse', 'HEAD');
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 180_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * release.nix of the spec repositories: `hello` builds ./message; `check` fails when ./message says
 * "fail". A salt keeps the derivations of one spec run apart from any other's.
 */
export function releaseNix(salt: string): string {
  return `{ ... }:
let
  job = name: script: derivation {
    name = "pr-\${name}-${salt}"; system = builtins.currentSystem; builder = "/bin/sh";
    PATH = "/usr/bin:/bin"; args = [ "-c" script ];
  };
in {
  hello = job "hello" "cat \${./message} > $out";
  check = job "check" "if grep -q fail \${./message}; then echo failing; exit 1; fi; cat \${./message} > $out";
}
`;
}
