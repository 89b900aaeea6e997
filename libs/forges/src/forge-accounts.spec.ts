import { describe, expect, it } from '@jest/globals';
import { forgeAccounts, forgeRepositoryNamed, forgeRepositoryOf } from './forge-accounts';

describe('forgeAccounts', () => {
  it('puts github.com behind api.github.com, and GitHub Enterprise on its own host', () => {
    expect(forgeAccounts({ githubApiUrl: 'https://api.github.com' })).toEqual([
      { kind: 'github', apiUrl: 'https://api.github.com', host: 'github.com', token: undefined },
    ]);
    const [ghe, gitea] = forgeAccounts({
      githubApiUrl: 'https://GitHub.example.org/api/v3/',
      githubToken: 't1',
      giteaUrl: 'https://gitea.example.org/',
      giteaToken: 't2',
    });
    expect(ghe).toEqual({
      kind: 'github',
      apiUrl: 'https://GitHub.example.org/api/v3',
      host: 'github.example.org',
      token: 't1',
    });
    expect(gitea).toEqual({
      kind: 'gitea',
      apiUrl: 'https://gitea.example.org/api/v1',
      host: 'gitea.example.org',
      token: 't2',
    });
  });
});

describe('forgeRepositoryOf', () => {
  const accounts = forgeAccounts({
    githubApiUrl: 'https://api.github.com',
    giteaUrl: 'https://codeberg.org',
    giteaToken: 't',
  });

  it('reads owner and repo from https, ssh and scp-like URLs', () => {
    for (const url of [
      'https://github.com/acme/app.git',
      'https://user:pw@github.com/acme/app/',
      'ssh://git@github.com/acme/app.git',
      'git@github.com:acme/app.git',
    ]) {
      expect(forgeRepositoryOf(url, accounts)).toMatchObject({
        account: { kind: 'github' },
        owner: 'acme',
        repo: 'app',
      });
    }
    expect(forgeRepositoryOf('https://codeberg.org/forgejo/forgejo', accounts)).toMatchObject({
      account: { kind: 'gitea', apiUrl: 'https://codeberg.org/api/v1' },
      owner: 'forgejo',
      repo: 'forgejo',
    });
  });

  it('is undefined off the forges, for local repositories, for deeper paths and for the other kind', () => {
    expect(forgeRepositoryOf('https://gitlab.com/acme/app', accounts)).toBeUndefined();
    expect(forgeRepositoryOf('file:///srv/git/app', accounts)).toBeUndefined();
    expect(forgeRepositoryOf('/srv/git/app', accounts)).toBeUndefined();
    expect(forgeRepositoryOf('https://github.com/acme/app/tree/main', accounts)).toBeUndefined();
    expect(forgeRepositoryOf('https://github.com/acme/app', accounts, 'gitea')).toBeUndefined();
  });
});

describe('forgeRepositoryNamed', () => {
  const accounts = forgeAccounts({
    githubApiUrl: 'https://github.example.org/api/v3',
    githubToken: 'gh',
    giteaUrl: 'https://Gitea.example.org/',
    giteaToken: 'gt',
  });

  it('puts githubpulls on the configured GitHub API', () => {
    expect(forgeRepositoryNamed('github', 'acme', 'app', accounts)).toEqual({
      account: accounts[0],
      owner: 'acme',
      repo: 'app',
    });
  });

  it("uses the configured Gitea's token only on its own API", () => {
    expect(forgeRepositoryNamed('gitea', 'a', 'r', accounts, 'https://gitea.example.org').account.token).toBe(
      'gt',
    );
    const elsewhere = forgeRepositoryNamed('gitea', 'a', 'r', accounts, 'https://codeberg.org');
    expect(elsewhere.account).toEqual({
      kind: 'gitea',
      apiUrl: 'https://codeberg.org/api/v1',
      host: 'codeberg.org',
      token: undefined,
    });
    // The same host over http is another origin: no token.
    expect(
      forgeRepositoryNamed('gitea', 'a', 'r', accounts, 'http://gitea.example.org').account.token,
    ).toBeUndefined();
  });
});
