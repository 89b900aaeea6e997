// A flake jobset's nix_expression: a directory of the repository holding flake.nix ("." or
// "flake.nix" for the root, "sub" or "sub/flake.nix" below it), or an output attribute path of the
// root flake ("hydraJobs", "checks", "packages.x86_64-linux"). Which of the two a name is can only
// be told with the checkout at hand (the evaluator looks for <name>/flake.nix); this says what no
// checkout can make valid.

/** Dot-separated Nix identifiers, as flake outputs are named (x86_64-linux included). */
export const FLAKE_ATTRIBUTE_PATH = /^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$/;

export const FLAKE_EXPRESSION_MEANING =
  'a directory of the repository holding flake.nix ("." for the root) or an output attribute path of ' +
  'the flake (hydraJobs, checks, packages.x86_64-linux)';

/** Why `expression` cannot be a flake jobset's nix_expression, or undefined when it can. */
export function flakeExpressionProblem(expression: string): string | undefined {
  const e = expression.replace(/^\.\//, '');
  const isDirectory =
    e !== '' && !e.startsWith('/') && !e.startsWith('-') && !e.split('/').includes('..') && !/[\s\0]/.test(e);
  if (isDirectory || FLAKE_ATTRIBUTE_PATH.test(e)) return undefined;
  return `must be ${FLAKE_EXPRESSION_MEANING}; ${JSON.stringify(expression)} is neither`;
}

/** A flake jobset's expression names the root flake's directory ("", ".", "flake.nix"). */
export function flakeDirectoryOf(expression: string): string {
  const dir = expression
    .replace(/^\.\//, '')
    .replace(/\/?flake\.nix$/, '')
    .replace(/\/$/, '');
  return dir === '.' ? '' : dir;
}
