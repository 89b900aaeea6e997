// What Nix evaluates for a jobset: a legacy expression file in the repository or in an input
// (Hydra's nixexprinput), or the repository's flake at the fetched revision.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  FLAKE_ATTRIBUTE_PATH,
  FLAKE_EXPRESSION_MEANING,
  flakeDirectoryOf,
  nixExpressionPathProblem,
} from '@fc/core';
import type { EvaluationJobsetRow } from '@fc/db';
import type { EvalSource } from '@fc/nix';
import { redactCredentials } from '../git/redact';
import type { FetchedInputs } from '../inputs/fetch-inputs';
import { UserFacingError } from './user-facing-error';

function checkExpressionPath(p: string): string {
  const problem = nixExpressionPathProblem(p);
  if (problem !== undefined) throw new UserFacingError(`invalid Nix expression path ${p}: ${problem}`);
  return p.replace(/^\.\//, '');
}

/**
 * A flake jobset's expression: a directory holding flake.nix (its hydraJobs, else checks), or an
 * output attribute path of the root flake ("hydraJobs", "packages.x86_64-linux").
 */
function flakeTarget(expr: string, checkout: string): { dir: string; attrPath?: string[] } {
  const dir = flakeDirectoryOf(expr);
  if (dir === '' || expr.endsWith('flake.nix') || existsSync(join(checkout, dir, 'flake.nix')))
    return { dir };
  if (FLAKE_ATTRIBUTE_PATH.test(expr)) return { dir: '', attrPath: expr.split('.') };
  throw new UserFacingError(
    `nix_expression ${JSON.stringify(expr)}: a flake jobset's nix_expression is ${FLAKE_EXPRESSION_MEANING}, ` +
      `and the repository has no ${dir}/flake.nix`,
  );
}

export function sourceOf(
  jobset: EvaluationJobsetRow,
  fetched: FetchedInputs,
): { source: EvalSource; flakeUrl: string | null } {
  const expr = checkExpressionPath(jobset.nixExpression);
  if (jobset.nixExpressionInput !== null) {
    const name = jobset.nixExpressionInput;
    const input = fetched.inputs.find((i) => i.name === name);
    if (jobset.flakeMode) {
      // A declarative spec's flake (Hydra's type 1) is in a git input: evaluated at its revision.
      if (!input || input.type !== 'git') {
        throw new UserFacingError(`a flake jobset's Nix expression input ${name} must be a git input`);
      }
      const dir = expr === '.' ? '' : expr;
      const query = `rev=${input.rev}${dir ? `&dir=${encodeURIComponent(dir)}` : ''}`;
      return {
        source: { kind: 'flake', flakeRef: `git+file://${input.path}?${query}`, allowedPaths: [input.path] },
        flakeUrl: `git+${input.uri}?${query}`,
      };
    }
    if (!input || (input.type !== 'git' && input.type !== 'path' && input.type !== 'checkout')) {
      throw new UserFacingError(
        `the Nix expression input ${name} is not a repository or path input of the jobset`,
      );
    }
    return { source: { kind: 'legacy', checkout: input.path, file: expr }, flakeUrl: null };
  }
  if (fetched.checkout === null || fetched.revision === null) {
    throw new Error('the repository was not fetched for a jobset whose expression is in it');
  }
  if (!jobset.flakeMode)
    return { source: { kind: 'legacy', checkout: fetched.checkout, file: expr }, flakeUrl: null };
  const { dir, attrPath } = flakeTarget(expr, fetched.checkout);
  const query = `rev=${fetched.revision}${dir ? `&dir=${encodeURIComponent(dir)}` : ''}`;
  return {
    source: {
      kind: 'flake',
      flakeRef: `git+file://${fetched.checkout}?${query}`,
      allowedPaths: [fetched.checkout],
      ...(attrPath ? { attrPath } : {}),
    },
    flakeUrl: `git+${redactCredentials(jobset.repositoryUrl)}?${query}`,
  };
}
