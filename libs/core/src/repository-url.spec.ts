import { describe, expect, it } from '@jest/globals';
import {
  baseRepositoryNames,
  ownerAndRepo,
  repositoryKey,
  repositoryLocation,
  sameRepository,
} from './repository-url';

describe('repositoryLocation', () => {
  it.each([
    ['https://github.com/NixOS/hydra.git', 'github.com', 'NixOS/hydra'],
    ['https://user:tok@GitHub.com/NixOS/hydra/', 'github.com', 'NixOS/hydra'],
    ['http://gitea.example.org:3000/team/app', 'gitea.example.org', 'team/app'],
    ['ssh://git@github.com/NixOS/hydra.git', 'github.com', 'NixOS/hydra'],
    ['git@github.com:NixOS/hydra.git', 'github.com', 'NixOS/hydra'],
    ['git://github.com/NixOS/hydra', 'github.com', 'NixOS/hydra'],
    ['https://gitlab.example.org/group/sub/repo.git', 'gitlab.example.org', 'group/sub/repo'],
  ])('%s', (url, host, path) => {
    expect(repositoryLocation(url)).toEqual({ host, path });
  });

  it.each(['file:///srv/repo', '/srv/repo', './repo', 'not a url', 'https://github.com/', 'ftp://x/y/z'])(
    'is undefined for %s',
    (url) => {
      expect(repositoryLocation(url)).toBeUndefined();
    },
  );
});

describe('repositoryKey', () => {
  it('gives https, ssh and scp-like forms of one repository the same key', () => {
    const keys = new Set(
      [
        'https://github.com/NixOS/Hydra.git',
        'git@github.com:nixos/hydra',
        'ssh://git@github.com/NixOS/hydra/',
      ].map(repositoryKey),
    );
    expect([...keys]).toEqual(['github.com/nixos/hydra']);
    expect(repositoryKey('https://github.com/NixOS/nix')).not.toBe(
      repositoryKey('https://github.com/NixOS/hydra'),
    );
  });
});

describe('ownerAndRepo', () => {
  it('splits a two-segment path and refuses deeper ones', () => {
    expect(ownerAndRepo({ host: 'github.com', path: 'NixOS/hydra' })).toEqual({
      owner: 'NixOS',
      repo: 'hydra',
    });
    expect(ownerAndRepo({ host: 'gitlab.com', path: 'a/b/c' })).toBeUndefined();
  });
});

describe('baseRepositoryNames', () => {
  it("is the forge's name of the base repository when it gave one", () => {
    expect(baseRepositoryNames('acme/app', 'https://github.com/acme/old-name.git')).toEqual({
      owner: 'acme',
      repo: 'app',
    });
  });

  it("falls back to the project's repository URL when the forge did not name the base", () => {
    expect(baseRepositoryNames(null, 'git@host:org/proj.git')).toEqual({ owner: 'org', repo: 'proj' });
    expect(baseRepositoryNames('not-a-name', 'git@host:org/proj.git')).toEqual({
      owner: 'org',
      repo: 'proj',
    });
    expect(baseRepositoryNames(null, 'file:///srv/x')).toBeUndefined();
  });
});

describe('sameRepository', () => {
  it('compares forge URLs by host and path, local ones as written', () => {
    expect(sameRepository('https://github.com/acme/app.git', 'git@github.com:Acme/app')).toBe(true);
    expect(sameRepository('https://github.com/acme/app', 'https://github.com/fork/app')).toBe(false);
    expect(sameRepository('file:///srv/app.git/', 'file:///srv/app')).toBe(true);
    expect(sameRepository('file:///srv/app', 'file:///srv/fork')).toBe(false);
  });
});
