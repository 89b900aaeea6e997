// Fetching a git repository at a branch into the evaluator's work directory: argument arrays only,
// `--` before user values, URLs and branches checked by libs/core's rules (no option, no transport
// but https, http, ssh, git and file), the deadline kills the process group.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { branchProblem, repositoryUrlProblem } from '@fc/core';
import { runCommand } from '@fc/nix';
import { redactCredentials } from './redact';

export interface GitCheckout {
  readonly path: string;
  readonly rev: string;
  readonly revCount: number;
  readonly shortRev: string;
}

/** A fetch failure: the message is already free of credentials. */
export class FetchError extends Error {
  constructor(message: string) {
    super(redactCredentials(message));
    this.name = 'FetchError';
  }
}

const GIT_ENV = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_ASKPASS: 'true',
  SSH_ASKPASS: 'true',
  GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
  LC_ALL: 'C',
};

async function git(
  dir: string | undefined,
  args: readonly string[],
  timeoutMs: number,
  processGroupDir: string | undefined,
): Promise<string> {
  const full = dir === undefined ? [...args] : ['-C', dir, ...args];
  const result = await runCommand('git', full, { timeoutMs, env: GIT_ENV, processGroupDir });
  if (result.timedOut) {
    throw new FetchError(
      `git ${args[0] ?? ''} timed out after ${Math.round(timeoutMs / 1000)} s (evaluator.git_timeout)`,
    );
  }
  if (result.exitCode !== 0) {
    throw new FetchError(`git ${args[0] ?? ''} failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
  }
  return result.stdout.trim();
}

/** Checks out `branch` (default: the remote's HEAD) of `url` in `dir`, reusing earlier fetches. */
export async function fetchGitCheckout(options: {
  url: string;
  branch: string | null;
  /** A pinned commit, fetched instead of the branch. */
  rev?: string | null;
  dir: string;
  timeoutMs: number;
  /** Where git's process groups are recorded while they run (see @fc/nix process-groups). */
  processGroupDir?: string;
}): Promise<GitCheckout> {
  const { url, branch, dir } = options;
  // The API's rules (libs/core): rows written before them, or by hand, are refused here too.
  const urlProblem = repositoryUrlProblem(url);
  if (urlProblem !== undefined) throw new FetchError(`invalid repository URL ${url}: ${urlProblem}`);
  const branchIssue = branch === null ? undefined : branchProblem(branch);
  if (branchIssue !== undefined) throw new FetchError(`invalid branch ${branch ?? ''}: ${branchIssue}`);
  const deadline = Date.now() + options.timeoutMs;
  const left = () => {
    const ms = deadline - Date.now();
    if (ms <= 0)
      throw new FetchError(
        `git timed out after ${Math.round(options.timeoutMs / 1000)} s (evaluator.git_timeout)`,
      );
    return ms;
  };
  if (!existsSync(join(dir, '.git'))) {
    mkdirSync(dir, { recursive: true });
    await git(undefined, ['init', '--quiet', '--', dir], left(), options.processGroupDir);
  }
  await git(
    dir,
    ['fetch', '--quiet', '--force', '--no-tags', '--', url, options.rev ?? branch ?? 'HEAD'],
    left(),
    options.processGroupDir,
  );
  const rev = await git(
    dir,
    ['rev-parse', '--verify', '--end-of-options', 'FETCH_HEAD^{commit}'],
    left(),
    options.processGroupDir,
  );
  await git(
    dir,
    ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--force', '--detach', rev, '--'],
    left(),
    options.processGroupDir,
  );
  await git(dir, ['clean', '-ffdxq'], left(), options.processGroupDir);
  const revCount = Number(
    await git(dir, ['rev-list', '--count', rev, '--'], left(), options.processGroupDir),
  );
  return { path: dir, rev, revCount, shortRev: rev.slice(0, 7) };
}
