import { describe, expect, it } from '@jest/globals';
import {
  branchProblem,
  jobsetNameProblem,
  nixExpressionPathProblem,
  pathInputValueProblem,
  vcsInputValueProblem,
  repositoryUrlProblem,
} from './git-source-rules';

describe('repositoryUrlProblem', () => {
  it('accepts the transports FC supports, scp-like ssh and absolute paths', () => {
    for (const url of [
      'https://github.com/NixOS/nixpkgs.git',
      'http://deploy:tok@git.example.org/a/b',
      'ssh://git@example.org:2222/a/b.git',
      'git+ssh://git@example.org/a/b',
      'git://example.org/a/b',
      'file:///srv/git/repo',
      'git@github.com:owner/repo.git',
      'example.org:repo',
      '/srv/git/repo',
    ]) {
      expect([url, repositoryUrlProblem(url)]).toEqual([url, undefined]);
    }
  });

  it('refuses options, remote helpers and other transports, naming why', () => {
    expect(repositoryUrlProblem('--upload-pack=touch /tmp/x')).toBe("it begins with '-'");
    expect(repositoryUrlProblem('-oProxyCommand=x')).toBe("it begins with '-'");
    expect(repositoryUrlProblem('ext::sh -c touch% /tmp/pwned')).toBe(
      "git's ext:: transport is not supported; use an https, http, ssh, git or file URL",
    );
    expect(repositoryUrlProblem('fd::17')).toContain("git's fd:: transport is not supported");
    expect(repositoryUrlProblem('ftp://example.org/repo')).toContain('the ftp transport is not supported');
    expect(repositoryUrlProblem('ssh://-oProxyCommand=touch/x')).toBe("its host begins with '-'");
    expect(repositoryUrlProblem('-host:repo')).toBe("it begins with '-'");
    expect(repositoryUrlProblem('user@-oProxyCommand=x:repo')).toBe("its host begins with '-'");
    expect(repositoryUrlProblem('https://example.org/a\nb')).toBe('it contains a control character');
    expect(repositoryUrlProblem('relative/dir')).toContain('must be an https, http, ssh, git or file URL');
    expect(repositoryUrlProblem('')).toBe('it is empty');
  });
});

describe('branchProblem', () => {
  it('refuses a branch that git would take as an option', () => {
    expect(branchProblem('main')).toBeUndefined();
    expect(branchProblem('release/24.05')).toBeUndefined();
    expect(branchProblem('--upload-pack=x')).toBe("it begins with '-'");
    expect(branchProblem('-oX')).toBe("it begins with '-'");
    expect(branchProblem('a b')).toBe('it contains a space or control character');
  });
});

describe('nixExpressionPathProblem', () => {
  it('accepts a relative path inside the repository only', () => {
    expect(nixExpressionPathProblem('release.nix')).toBeUndefined();
    expect(nixExpressionPathProblem('./ci/jobs.nix')).toBeUndefined();
    expect(nixExpressionPathProblem('.')).toBeUndefined();
    for (const p of ['/etc/passwd', '../other/release.nix', 'ci/../../x.nix', '-I', '']) {
      expect(nixExpressionPathProblem(p)).toBeDefined();
    }
  });
});

describe('jobsetNameProblem', () => {
  it('reserves .jobsets', () => {
    expect(jobsetNameProblem('main')).toBeUndefined();
    expect(jobsetNameProblem('.jobsets')).toContain('reserved');
  });
});

describe('vcsInputValueProblem', () => {
  it('takes URL [REVISION], refusing options, a third word, and a host that is an option', () => {
    expect(vcsInputValueProblem('https://example.invalid/r 12')).toBeUndefined();
    expect(vcsInputValueProblem('/srv/repo')).toBeUndefined();
    expect(vcsInputValueProblem('--config=x')).toBe('the URL and revision must not start with "-"');
    expect(vcsInputValueProblem('https://h/r -r')).toBe('the URL and revision must not start with "-"');
    expect(vcsInputValueProblem('svn+ssh://-oProxyCommand=x/r')).toBe(
      "the URL svn+ssh://-oProxyCommand=x/r: its host begins with '-'",
    );
    expect(vcsInputValueProblem('a b c')).toBe('the value is "URL [REVISION]", got "a b c"');
    expect(vcsInputValueProblem(' ')).toBe('it is empty; the value is "URL [REVISION]"');
  });
});

describe('pathInputValueProblem', () => {
  it('takes an absolute path only', () => {
    expect(pathInputValueProblem('/srv/data')).toBeUndefined();
    expect(pathInputValueProblem('data')).toBe('a path value must be an absolute path, got "data"');
  });
});
