// Running a version control tool for an input: an argument array, the fetch deadline (the whole
// process group is killed), and a FetchError naming the input on failure.
import { vcsInputValueProblem } from '@fc/core';
import { runCommand } from '@fc/nix';
import { FetchError } from '../git/git-fetch';

const VCS_ENV = { LC_ALL: 'C', HGPLAIN: '1', HOME: '/nonexistent', SVN_SSH: 'ssh -o BatchMode=yes' };

export async function vcs(
  inputName: string,
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly timeoutMs: number; readonly processGroupDir: string },
): Promise<string> {
  const result = await runCommand(command, args, {
    timeoutMs: options.timeoutMs,
    env: VCS_ENV,
    processGroupDir: options.processGroupDir,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  if (result.timedOut) {
    throw new FetchError(
      `input ${inputName}: ${command} timed out after ${Math.round(options.timeoutMs / 1000)} s (evaluator.git_timeout)`,
    );
  }
  if (result.exitCode !== 0) {
    throw new FetchError(
      `input ${inputName}: ${command} ${args[0] ?? ''} failed (exit ${result.exitCode}): ${result.stderr.trim()}`,
    );
  }
  return result.stdout.trim();
}

/** Hydra's `URL [REVISION]` value of an hg, svn, bzr or darcs input (libs/core's rule, as the API's). */
export function urlAndRevision(inputName: string, value: string): { url: string; revision: string | null } {
  const problem = vcsInputValueProblem(value);
  if (problem !== undefined) throw new FetchError(`input ${inputName}: ${problem}`);
  const [url, revision] = value.trim().split(/\s+/);
  return { url: url!, revision: revision ?? null };
}
