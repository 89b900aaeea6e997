// The forge client against a local server playing GitHub's and Gitea's APIs: every page of open pull
// requests, collaborators' permissions, and each kind of failure, with messages free of the token.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, startFakeForge, type FakeForge } from '@fc/testing';
import { forgeAccounts, forgeRepositoryOf, type ForgeRepository } from './forge-accounts';
import { ForgeApiError } from './forge-api-error';
import { createForgeClient } from './forge-client';
import { parseForgePullRequest } from './forge-pull-request';

const TOKEN = 'forge-secret-token';
// Asynchronous: the fake forge answers from this process.
const run = async (cmd: string, args: string[]) => (await promisify(execFile)(cmd, args)).stdout.trim();
let github: FakeForge;
let gitea: FakeForge;
const client = createForgeClient({ timeoutMs: 2000, userAgent: 'fc-test' });

function repository(forge: FakeForge, fullName: string, token = TOKEN): ForgeRepository {
  const tokens = { acme: token };
  const accounts = forgeAccounts(
    forge.kind === 'github'
      ? { githubApiUrl: forge.configUrl, githubTokens: tokens }
      : { githubApiUrl: 'https://api.github.com', giteas: [{ url: forge.configUrl, tokens }] },
  );
  const r = forgeRepositoryOf(forge.cloneUrl(fullName), accounts, forge.kind);
  if (!r) throw new Error(`${forge.cloneUrl(fullName)} is on no forge`);
  return r;
}

async function failure(p: Promise<unknown>): Promise<ForgeApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ForgeApiError);
  expect((e as Error).message).not.toContain(TOKEN);
  return e as ForgeApiError;
}

beforeAll(async () => {
  github = await startFakeForge({ kind: 'github', token: TOKEN, pageSize: 2, publicOwners: ['someone'] });
  gitea = await startFakeForge({ kind: 'gitea', token: TOKEN, pageSize: 2, publicOwners: ['someone'] });
  for (const forge of [github, gitea]) {
    forge.createRepository('acme/app', { 'release.nix': '{ }' });
    for (const number of [1, 2, 3, 4, 5]) {
      const sha = forge.commit('acme/app', `topic-${number}`, { topic: String(number) });
      forge.openPullRequest('acme/app', {
        number,
        author: 'alice',
        headRepository: 'acme/app',
        headBranch: `topic-${number}`,
        headSha: sha,
      });
    }
    forge.closePullRequest('acme/app', 2);
    forge.setPermission('acme/app', 'Carol', 'write');
    forge.setPermission('acme/app', 'dave', 'read');
    // Another owner's repository, public: read without a token.
    forge.createRepository('someone/public', { 'release.nix': '{ }' });
  }
});

afterAll(async () => {
  await github?.close();
  await gitea?.close();
});

describe.each(['github', 'gitea'] as const)('the %s client', (kind) => {
  const forge = () => (kind === 'github' ? github : gitea);

  it('lists every open pull request, page after page, with the token', async () => {
    const before = forge().requests.length;
    const pulls = (await client.openPullRequests(repository(forge(), 'acme/app'))).map(parseForgePullRequest);
    expect(pulls.map((p) => ('number' in p ? p.number : p.problem))).toEqual([5, 4, 3, 1]);
    expect(pulls[0]).toMatchObject({
      author: 'alice',
      headRepositoryUrl: forge().cloneUrl('acme/app'),
      headBranch: 'topic-5',
      baseRepository: 'acme/app',
    });
    const asked = forge().requests.slice(before);
    expect(asked).toHaveLength(2);
    expect(asked[0]!.path).toMatch(
      kind === 'github'
        ? /\/api\/v3\/repos\/acme\/app\/pulls\?state=open&per_page=100$/
        : /\/api\/v1\/repos\/acme\/app\/pulls\?state=open&page=1&limit=50$/,
    );
    expect(asked[1]!.path).toContain('page=2');
    expect(
      asked.every((r) => r.authorization === (kind === 'github' ? `Bearer ${TOKEN}` : `token ${TOKEN}`)),
    ).toBe(true);
  });

  it("sends acme's token to acme's repositories only: another owner's is asked without a token", async () => {
    const before = forge().requests.length;
    const acme = repository(forge(), 'acme/app');
    const someone = { ...acme, owner: 'someone', repo: 'public' };
    expect(await client.openPullRequests(someone)).toEqual([]);
    const victim = { ...acme, owner: 'victim', repo: 'private' };
    const hidden = await failure(client.openPullRequests(victim));
    expect(hidden).toMatchObject({ kind: 'not-found', status: 404 });
    expect(hidden.message).toContain(`no ${kind} token is configured for victim`);
    expect(await client.permission(victim, 'carol')).toEqual({ permission: 'none', roleName: null });
    const asked = forge().requests.slice(before);
    expect(asked.map((r) => [r.path.replace(/\?.*/, ''), r.authorization])).toEqual([
      [expect.stringMatching(/\/repos\/someone\/public\/pulls$/), undefined],
      [expect.stringMatching(/\/repos\/victim\/private\/pulls$/), undefined],
      [expect.stringMatching(/\/repos\/victim\/private\/collaborators\/carol\/permission$/), undefined],
    ]);
  });

  it('keeps each head at refs/pull/<number>/head, fetched over HTTP by real git', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fc-forge-clone-'));
    try {
      await run('git', ['init', '-q', dir]);
      await run('git', ['-C', dir, 'fetch', '-q', forge().cloneUrl('acme/app'), 'refs/pull/3/head']);
      const fetched = await run('git', ['-C', dir, 'rev-parse', 'FETCH_HEAD']);
      const pulls = (await client.openPullRequests(repository(forge(), 'acme/app'))).map(
        parseForgePullRequest,
      );
      expect(pulls.find((p) => 'number' in p && p.number === 3)).toMatchObject({ headSha: fetched });
      // A head fetched by its hash, as FC fetches a pull request's head.
      await run('git', ['-C', dir, 'fetch', '-q', forge().cloneUrl('acme/app'), fetched]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a collaborator's permission, and none for a stranger", async () => {
    const repo = repository(forge(), 'acme/app');
    expect(await client.permission(repo, 'carol')).toEqual({ permission: 'write', roleName: 'write' });
    expect(await client.permission(repo, 'dave')).toMatchObject({ permission: 'read' });
    expect(await client.permission(repo, 'mallory')).toEqual({ permission: 'none', roleName: null });
  });

  it('says why a list failed: a refused token, a missing repository, the rate limit, a timeout, a dead host', async () => {
    const refused = await failure(client.openPullRequests(repository(forge(), 'acme/app', 'wrong-token')));
    expect(refused).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(refused.message).toContain(`the ${kind} token of acme was refused`);

    const missing = await failure(client.openPullRequests(repository(forge(), 'acme/nothing')));
    expect(missing).toMatchObject({ kind: 'not-found', status: 404 });
    expect(missing.message).toContain('/repos/acme/nothing/pulls answered 404: no such repository');

    forge().failRepository('acme/app', 'rate-limited');
    const limited = await failure(client.openPullRequests(repository(forge(), 'acme/app')));
    expect(limited).toMatchObject({ kind: 'rate-limited', status: 403 });
    expect(limited.message).toMatch(/rate limited until \d{4}-/);

    forge().failRepository('acme/app', 'hang');
    const slow = await failure(client.openPullRequests(repository(forge(), 'acme/app')));
    expect(slow).toMatchObject({ kind: 'timeout' });
    expect(slow.message).toContain('no answer within 2 s');
    forge().failRepository('acme/app', undefined);

    const dead = { ...repository(forge(), 'acme/app') };
    const unreachable = await failure(
      client.openPullRequests({
        ...dead,
        account: { ...dead.account, apiUrl: `http://127.0.0.1:${await freePort()}/api` },
      }),
    );
    expect(unreachable).toMatchObject({ kind: 'unreachable' });
    expect(unreachable.message).toContain('ECONNREFUSED');
  });
});
