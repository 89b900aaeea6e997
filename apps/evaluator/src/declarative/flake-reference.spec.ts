import { describe, expect, it } from '@jest/globals';
import { flakeAsGitInput } from './flake-reference';

const REV = '7f60df502b96fd54bbfa64dd94b56d936a407701';

describe('flakeAsGitInput', () => {
  it('takes git+ references with ref, rev and dir', () => {
    expect(flakeAsGitInput('git+https://example.org/r.git')).toEqual({
      value: 'https://example.org/r.git',
      dir: '',
    });
    expect(flakeAsGitInput('git+file:///srv/r?ref=main&dir=ci')).toEqual({
      value: 'file:///srv/r main',
      dir: 'ci',
    });
    expect(flakeAsGitInput(`git+ssh://git@h/r?rev=${REV}`)).toEqual({
      value: `ssh://git@h/r ${REV}`,
      dir: '',
    });
  });

  it('takes github: and gitlab: references', () => {
    expect(flakeAsGitInput('github:NixOS/hydra')).toEqual({
      value: 'https://github.com/NixOS/hydra.git',
      dir: '',
    });
    expect(flakeAsGitInput('gitlab:o/r/release?dir=sub')).toEqual({
      value: 'https://gitlab.com/o/r.git release',
      dir: 'sub',
    });
  });

  it('refuses references that are not git repositories, and unknown parameters', () => {
    expect(() => flakeAsGitInput('path:/etc')).toThrow(/FC takes flakes in git repositories/);
    expect(() => flakeAsGitInput('https://example.org/f.tar.gz')).toThrow(
      /FC takes flakes in git repositories/,
    );
    expect(() => flakeAsGitInput('git+https://h/r?submodules=1')).toThrow(
      /does not take its "submodules" parameter/,
    );
  });
});
