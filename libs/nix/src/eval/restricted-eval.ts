// restrict_eval: the Nix options that confine an evaluation to its own inputs. Nix 2.8's restricted
// mode checks the paths that readFile, import, builtins.path, fetchGit, fetchurl and the like read,
// but not two builtins of the `flakes` feature: builtins.fetchTree { type = "path"; path = ...; }
// copies any file the evaluator can read into the store (FC's configuration, its keys), and
// builtins.getFlake fetches any local repository that holds a flake (another jobset's checkout).
// So a legacy jobset is evaluated without the flakes feature (neither builtin exists), and a flake
// jobset, which needs it, in pure mode, as Hydra evaluates flakes: both builtins then take only
// locked references (a NAR hash nobody knows without the content, or a git revision of a repository
// at a path the evaluation must know, and other jobsets' checkouts are under names it cannot learn;
// see apps/evaluator work-dirs). Pure mode reads no file outside the store, so the walker is given
// as an expression (-E) rather than a file, and nix-eval-jobs, which takes a file, is not used.
import { execa } from 'execa';
import type { EvalSource } from './eval-types';

/** The experimental features Nix has on in this process's environment (nix.conf, NIX_CONFIG). */
export async function readExperimentalFeatures(nix = 'nix'): Promise<string[]> {
  const r = await execa(nix, ['--extra-experimental-features', 'nix-command', 'show-config'], {
    stdin: 'ignore',
  });
  return parseExperimentalFeatures(r.stdout);
}

/** The `experimental-features` line of `nix show-config`'s text output, as a list. */
export function parseExperimentalFeatures(showConfig: string): string[] {
  const line = showConfig.split('\n').find((l) => l.startsWith('experimental-features = '));
  if (line === undefined) return [];
  return line
    .slice('experimental-features = '.length)
    .split(/\s+/)
    .filter((f) => f !== '');
}

/** A flake jobset's restricted evaluation is pure: the walker goes to Nix as an expression. */
export function evaluatedPure(request: { restrictEval: boolean; source: EvalSource }): boolean {
  return request.restrictEval && request.source.kind === 'flake';
}

/**
 * Nix options beside restrict-eval = true: no search path but the evaluation's own -I entries (Nix
 * would allow whatever NIX_PATH or nix-path names), no flakes for a legacy jobset, pure mode for a
 * flake.
 */
export function restrictedEvalOptions(source: EvalSource, experimentalFeatures: readonly string[]): string[] {
  const noSearchPath = ['--option', 'nix-path', ''];
  if (source.kind === 'flake') return [...noSearchPath, '--option', 'pure-eval', 'true'];
  const features = experimentalFeatures.filter((f) => f !== 'flakes').join(' ');
  return [...noSearchPath, '--option', 'experimental-features', features];
}
