import { describe, expect, it } from '@jest/globals';
import { forgeAccounts, type ForgeClient, type ForgeRepository } from '@fc/forges';
import { forgeAuthorWriteAccess } from './author-write-access';

const accounts = forgeAccounts({
  githubApiUrl: 'https://api.github.com',
  githubTokens: { acme: 'acme-token', upstream: 'upstream-token' },
  giteas: [{ url: 'https://gitea.example.org', tokens: { acme: 'gitea-token' } }],
});

/** A forge client that says who may write where, and remembers what it was asked. */
function stubClient(writers: Record<string, string[]>) {
  const asked: string[] = [];
  const client: ForgeClient = {
    openPullRequests: () => Promise.resolve([]),
    openPullRequestsUrl: () => '',
    permission(r: ForgeRepository, login: string) {
      const fullName = `${r.owner}/${r.repo}`;
      asked.push(`${r.account.host} ${fullName} ${login}`);
      const write = writers[fullName]?.includes(login) ?? false;
      return Promise.resolve({ permission: write ? 'write' : 'read', roleName: null });
    },
  };
  return { client, asked };
}

describe('forgeAuthorWriteAccess', () => {
  it("asks the pull request's base repository, not the one the project's URL names", async () => {
    const { client, asked } = stubClient({ 'acme/app-v2': ['alice'], 'acme/app': ['bob'] });
    const access = forgeAuthorWriteAccess(accounts, client);
    // The project still names the repository's old name; the forge says the base is acme/app-v2.
    const scope = { projectRepositoryUrl: 'https://github.com/acme/app.git', baseRepository: 'acme/app-v2' };
    expect(await access(scope, 'github', 'alice')).toEqual({ mayWrite: true });
    // Write access to the repository the project's URL names proves nothing about the base.
    expect(await access(scope, 'github', 'bob')).toEqual({ mayWrite: false });
    expect(asked).toEqual(['github.com acme/app-v2 alice', 'github.com acme/app-v2 bob']);
  });

  it("asks the base repository when the project builds from a mirror, on the pull request's forge", async () => {
    const { client, asked } = stubClient({ 'acme/app': ['alice'] });
    const access = forgeAuthorWriteAccess(accounts, client);
    const mirror = { projectRepositoryUrl: 'file:///srv/mirrors/app', baseRepository: 'acme/app' };
    expect(await access(mirror, 'gitea', 'alice')).toEqual({ mayWrite: true });
    expect(asked).toEqual(['gitea.example.org acme/app alice']);
  });

  it("falls back to the project's repository when the forge named no base", async () => {
    const { client, asked } = stubClient({ 'upstream/app': ['alice'] });
    const access = forgeAuthorWriteAccess(accounts, client);
    const scope = { projectRepositoryUrl: 'git@github.com:upstream/app.git', baseRepository: null };
    expect(await access(scope, 'github', 'alice')).toEqual({ mayWrite: true });
    expect(asked).toEqual(['github.com upstream/app alice']);
  });

  it('does not ask about an owner FC holds no token for', async () => {
    const { client, asked } = stubClient({});
    const access = forgeAuthorWriteAccess(accounts, client);
    const scope = { projectRepositoryUrl: 'https://github.com/acme/app', baseRepository: 'victim/app' };
    expect(await access(scope, 'github', 'alice')).toEqual({ mayWrite: null });
    expect(asked).toEqual([]);
  });
});
