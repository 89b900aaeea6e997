import { describe, expect, it } from '@jest/globals';
import { localPathOf, protectedPathProblem } from './protected-paths';

describe('localPathOf', () => {
  it('reads absolute paths and file: URLs of any VCS, ignoring what follows the URL', () => {
    expect(localPathOf('/srv/repo')).toBe('/srv/repo');
    expect(localPathOf('/srv/repo main')).toBe('/srv/repo');
    expect(localPathOf('file:///srv/repo')).toBe('/srv/repo');
    expect(localPathOf('file://localhost/srv/repo?x=1')).toBe('/srv/repo');
    expect(localPathOf('git+file:///srv/%72epo')).toBe('/srv/repo');
    expect(localPathOf('svn+file:///srv/repo')).toBe('/srv/repo');
    expect(localPathOf('https://host/repo')).toBeUndefined();
    expect(localPathOf('git@host:repo')).toBeUndefined();
  });
});

describe('protectedPathProblem', () => {
  const protection = {
    paths: [
      { path: '/var/lib/fc/evaluator', what: 'the work directory' },
      { path: '/etc/fc/cache.key', what: "one of FC's keys" },
    ],
    home: '/var/lib/fc',
  };

  it('refuses a protected path, anything inside it, and anything holding it', () => {
    expect(protectedPathProblem('/var/lib/fc/evaluator', protection)).toBe('it is in the work directory');
    expect(protectedPathProblem('/var/lib/fc/evaluator/checkouts/1-ab/repository', protection)).toBe(
      'it is in the work directory',
    );
    expect(protectedPathProblem('/etc/fc/cache.key', protection)).toBe("it is in one of FC's keys");
    expect(protectedPathProblem('/etc/fc', protection)).toBe("it holds one of FC's keys");
    expect(protectedPathProblem('/', protection)).toBe('it holds the work directory');
  });

  it("refuses the hidden files of FC's user's home and the home itself, not its other files", () => {
    expect(protectedPathProblem('/var/lib/fc/.ssh/id_ed25519', protection)).toMatch(/^it is in ~\/\.ssh/);
    expect(protectedPathProblem('/var/lib/fc/.cache', protection)).toMatch(/^it is in ~\/\.cache/);
    expect(protectedPathProblem('/var/lib', { paths: [], home: '/var/lib/fc' })).toBe(
      "it holds the home directory of FC's user",
    );
    expect(protectedPathProblem('/var/lib/fc/repos/app', protection)).toBeUndefined();
    expect(protectedPathProblem('/srv/repo', protection)).toBeUndefined();
    expect(protectedPathProblem('/var/lib/fc-other', protection)).toBeUndefined();
  });
});
