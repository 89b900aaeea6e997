import { describe, expect, it } from '@jest/globals';
import { flakeDirectoryOf, flakeExpressionProblem } from './flake-expression';

describe('flakeExpressionProblem', () => {
  it.each(['.', 'flake.nix', 'sub/dir', './sub/flake.nix', 'hydraJobs', 'checks', 'packages.x86_64-linux'])(
    'accepts %s',
    (e) => expect(flakeExpressionProblem(e)).toBeUndefined(),
  );

  it.each(['', '/abs/dir', '../up', 'a/../../b', '-o', 'hydra Jobs'])(
    'refuses %j, saying what is meant',
    (e) => expect(flakeExpressionProblem(e)).toMatch(/output attribute path .* is neither$/),
  );
});

describe('flakeDirectoryOf', () => {
  it.each([
    ['.', ''],
    ['flake.nix', ''],
    ['./flake.nix', ''],
    ['sub', 'sub'],
    ['sub/flake.nix', 'sub'],
    ['sub/', 'sub'],
  ])('%s is the directory %j', (e, dir) => expect(flakeDirectoryOf(e)).toBe(dir));
});
