// Whose write access a pull request author's check asks for, against a local server playing GitHub's
// and Gitea's APIs: the pull request's base repository on the forge holding the project's repository
// (or the pull request's forge for a mirror), with the base owner's own token, and nothing asked of an
// owner FC holds no token for.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createForgeClient, forgeAccounts, type ForgeAccount } from '@fc/forges';
import { startFakeForge, type FakeForge } from '@fc/testing';
import { forgeAuthorWriteAccess, type AuthorWriteAccess } from './author-write-access';

const TOKEN = 'acme-forge-token';
const client = createForgeClient({ timeoutMs: 2000, userAgent: 'fc-test' });

describe('forgeAuthorWriteAccess', () => {
  let github: FakeForge;
  let gitea: FakeForge;
  let access: AuthorWriteAccess;

  beforeAll(async () => {
    github = await startFakeForge({
      kind: 'github',
      token: TOKEN,
      ownerTokens: { upstream: 'upstream-token' },
    });
    gitea = await startFakeForge({ kind: 'gitea', token: TOKEN });
    const accounts: ForgeAccount[] = forgeAccounts({
      githubApiUrl: github.configUrl,
      githubTokens: { acme: TOKEN, upstream: 'upstream-token' },
      giteas: [{ url: gitea.configUrl, tokens: { acme: TOKEN } }],
    });
    access = forgeAuthorWriteAccess(accounts, client);
    github.setPermission('acme/app-v2', 'alice', 'write');
    github.setPermission('acme/app', 'bob', 'admin');
    github.setPermission('upstream/app', 'alice', 'write');
    gitea.setPermission('acme/app', 'alice', 'write');
  });

  afterAll(async () => {
    await github?.close();
    await gitea?.close();
  });

  /** The permission requests the forge received since `from`, as `owner/repo login`. */
  const asked = (forge: FakeForge, from: number) =>
    forge.requests.slice(from).flatMap((r) => {
      const m = /\/repos\/([^/]+\/[^/]+)\/collaborators\/([^/]+)\/permission/.exec(r.path);
      return m ? [`${m[1]} ${m[2]}`] : [];
    });

  it("asks the pull request's base repository, not the one the project's URL names", async () => {
    const from = github.requests.length;
    // The project still names the repository's old name; the forge says the base is acme/app-v2.
    const scope = { projectRepositoryUrl: github.cloneUrl('acme/app'), baseRepository: 'acme/app-v2' };
    expect(await access(scope, 'github', 'alice')).toEqual({ mayWrite: true });
    // Write access to the repository the project's URL names proves nothing about the base.
    expect(await access(scope, 'github', 'bob')).toEqual({ mayWrite: false });
    expect(asked(github, from)).toEqual(['acme/app-v2 alice', 'acme/app-v2 bob']);
  });

  it("asks the base repository when the project builds from a mirror, on the pull request's forge", async () => {
    const from = gitea.requests.length;
    const mirror = { projectRepositoryUrl: 'file:///srv/mirrors/app', baseRepository: 'acme/app' };
    expect(await access(mirror, 'gitea', 'alice')).toEqual({ mayWrite: true });
    expect(asked(gitea, from)).toEqual(['acme/app alice']);
  });

  it("falls back to the project's repository when the forge named no base, with its owner's token", async () => {
    const from = github.requests.length;
    const scope = { projectRepositoryUrl: github.cloneUrl('upstream/app'), baseRepository: null };
    expect(await access(scope, 'github', 'alice')).toEqual({ mayWrite: true });
    expect(asked(github, from)).toEqual(['upstream/app alice']);
    expect(github.requests.at(-1)?.authorization).toBe('Bearer upstream-token');
  });

  it('does not ask about an owner FC holds no token for', async () => {
    const from = github.requests.length;
    const scope = { projectRepositoryUrl: github.cloneUrl('acme/app'), baseRepository: 'victim/app' };
    expect(await access(scope, 'github', 'alice')).toEqual({ mayWrite: null });
    expect(github.requests.slice(from)).toEqual([]);
  });
});
