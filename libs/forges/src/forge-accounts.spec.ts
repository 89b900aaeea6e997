import { describe, expect, it } from '@jest/globals';
import {
  forgeAccounts,
  forgeRepositoryNamed,
  forgeRepositoryOf,
  forgeSettingsOf,
  forgeToken,
} from './forge-accounts';

describe('forgeSettingsOf', () => {
  it('gives each owner its own token, and the single token only to the owners named for it', () => {
    const s = forgeSettingsOf({
      github_api_url: 'https://api.github.com',
      github_token: 'default',
      github_token_owners: ['Acme', 'acme-infra'],
      github_authorization: { ACME: 'acme-own', other: 'other-own' },
      gitea_url: 'https://gitea.example.org/',
      gitea_token: 'gt',
      gitea_token_owners: ['team'],
      gitea_authorization: {
        'https://Gitea.example.org': { lab: 'lab-token' },
        'https://codeberg.org': { forgejo: 'cb' },
      },
    });
    expect(s.githubTokens).toEqual({ acme: 'acme-own', 'acme-infra': 'default', other: 'other-own' });
    expect(s.giteas).toEqual([
      { url: 'https://gitea.example.org/', tokens: { team: 'gt', lab: 'lab-token' } },
      { url: 'https://codeberg.org', tokens: { forgejo: 'cb' } },
    ]);
  });

  it('gives no token to anyone when none is configured', () => {
    expect(forgeSettingsOf({ github_api_url: 'https://api.github.com' })).toEqual({
      githubApiUrl: 'https://api.github.com',
      githubTokens: {},
      giteas: [],
    });
  });
});

describe('forgeToken', () => {
  const [github] = forgeAccounts({ githubApiUrl: 'https://api.github.com', githubTokens: { acme: 't' } });

  it("is the owner's token, whatever the owner's case, and none for any other owner", () => {
    expect(forgeToken({ account: github!, owner: 'Acme' })).toBe('t');
    expect(forgeToken({ account: github!, owner: 'victim' })).toBeUndefined();
  });
});

describe('forgeAccounts', () => {
  it('puts github.com behind api.github.com, and GitHub Enterprise on its own host', () => {
    expect(forgeAccounts({ githubApiUrl: 'https://api.github.com' })).toEqual([
      { kind: 'github', apiUrl: 'https://api.github.com', host: 'github.com', tokens: new Map() },
    ]);
    const [ghe, gitea] = forgeAccounts({
      githubApiUrl: 'https://GitHub.example.org/api/v3/',
      githubTokens: { Acme: 't1' },
      giteas: [{ url: 'https://gitea.example.org/', tokens: { team: 't2' } }],
    });
    expect(ghe).toEqual({
      kind: 'github',
      apiUrl: 'https://GitHub.example.org/api/v3',
      host: 'github.example.org',
      tokens: new Map([['acme', 't1']]),
    });
    expect(gitea).toEqual({
      kind: 'gitea',
      apiUrl: 'https://gitea.example.org/api/v1',
      host: 'gitea.example.org',
      tokens: new Map([['team', 't2']]),
    });
  });
});

describe('forgeRepositoryOf', () => {
  const accounts = forgeAccounts({
    githubApiUrl: 'https://api.github.com',
    giteas: [{ url: 'https://codeberg.org', tokens: { forgejo: 't' } }],
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
    githubTokens: { acme: 'gh' },
    giteas: [{ url: 'https://Gitea.example.org/', tokens: { a: 'gt' } }],
  });

  it('puts githubpulls on the configured GitHub API', () => {
    expect(forgeRepositoryNamed('github', 'acme', 'app', accounts)).toEqual({
      account: accounts[0],
      owner: 'acme',
      repo: 'app',
    });
  });

  it("uses the configured Gitea's token only on its own API", () => {
    expect(forgeToken(forgeRepositoryNamed('gitea', 'a', 'r', accounts, 'https://gitea.example.org'))).toBe(
      'gt',
    );
    // Another owner on the same Gitea: no token.
    expect(forgeToken(forgeRepositoryNamed('gitea', 'b', 'r', accounts, 'https://gitea.example.org'))).toBe(
      undefined,
    );
    const elsewhere = forgeRepositoryNamed('gitea', 'a', 'r', accounts, 'https://codeberg.org');
    expect(elsewhere.account).toEqual({
      kind: 'gitea',
      apiUrl: 'https://codeberg.org/api/v1',
      host: 'codeberg.org',
      tokens: new Map(),
    });
    // The same host over http is another origin: no token.
    expect(
      forgeToken(forgeRepositoryNamed('gitea', 'a', 'r', accounts, 'http://gitea.example.org')),
    ).toBeUndefined();
    expect(forgeToken(forgeRepositoryNamed('github', 'victim', 'secret', accounts))).toBeUndefined();
  });
});
