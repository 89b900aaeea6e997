/* eslint-disable @typescript-eslint/no-explicit-any */
// Pull requests FC was never told of: local servers play GitHub's and Gitea's APIs and host the
// repositories over git's smart HTTP. While fc-evaluator was stopped a pull request was opened and
// one FC knew was closed, with no webhook; the started evaluator's scheduler reads each forge's list
// (every page, with the configured token), builds the new heads with real Nix, retires the closed
// one, asks the forge whether a fork's author may write, and logs a forge's failures (404, 401,
// rate limit, timeout) with the project while the other projects go on. The statuses of a pull
// request found so go to its base repository as the forge names it (a renamed repository's new name).
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ResultPromise } from 'execa';
import {
  createTestDatabase,
  deliver,
  pullRequestPayload,
  startApp,
  startFakeForge,
  waitForLogRecord,
  type FakeForge,
  type LogRecord,
  type PostedStatus,
} from '@fc/testing';
import { startApiHarness, type ApiHarness } from '../testing/api-harness';
import { waitFor } from '../testing/pull-request-env';

const SECRET = 'poll-webhook-secret';
const GITHUB_TOKEN = 'github-token-for-fc';
const GITEA_TOKEN = 'gitea-token-for-fc';
const salt = randomUUID();
const dirs: string[] = [];
const daemons: ResultPromise[] = [];
let github: FakeForge;
let gitea: FakeForge;
let h: ApiHarness;
let admin: string;
let evaluator: ResultPromise;
const projects: Record<string, number> = {};
/** Log records of the evaluator the spec waits for, registered before it starts. */
const forgeFailures = new Map<string, Promise<LogRecord>>();

const RELEASE_NIX = `{ ... }: { hello = derivation {
  name = "poll-hello-${salt}"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
  args = [ "-c" "cat \${./message} > $out" ];
}; }`;

async function createProject(
  name: string,
  repositoryUrl: string,
  withJobset = true,
  settings: Record<string, unknown> = {},
): Promise<number> {
  const p = await h.call('POST', '/api/v1/projects', {
    key: admin,
    body: {
      name,
      repository_url: repositoryUrl,
      github_webhook_secret: SECRET,
      build_pull_requests: true,
      ...settings,
    },
  });
  expect(p.status).toBe(201);
  const id = ((await p.json()) as any).id as number;
  if (withJobset) {
    const j = await h.call('POST', `/api/v1/projects/${id}/jobsets`, {
      key: admin,
      body: { name: 'main', nix_expression: 'release.nix', check_interval: 0 },
    });
    expect(j.status).toBe(201);
  }
  projects[name] = id;
  return id;
}

/** Waits for the jobset's succeeded evaluation at the commit whose one build succeeded; its output. */
async function builtAt(project: string, jobset: string, sha: string): Promise<string> {
  return waitFor(`${project}/${jobset} built at ${sha}`, async () => {
    const { rows } = await h.pool.query(
      `SELECT b.id, b.build_status, b.finished, (SELECT min(o.path) FROM build_outputs o WHERE o.build_id = b.id) AS out
       FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id JOIN builds b ON b.evaluation_id = e.id
       WHERE j.project_id = $1 AND j.name = $2 AND e.revision = $3 AND e.status = 'succeeded'`,
      [projects[project], jobset, sha],
    );
    const row = rows[0];
    if (!row?.finished) return undefined;
    if (row.build_status !== 0) {
      // What went wrong, for whoever reads a failure.
      const log = await h.call('GET', `/api/v1/builds/${row.id}/log`, { key: admin });
      throw new Error(
        `build ${row.id} of ${jobset} ended with status ${row.build_status}: ${await log.text()}`,
      );
    }
    return String(row.out);
  });
}

async function jobsetRow(project: string, name: string): Promise<any> {
  const { rows } = await h.pool.query(
    `SELECT id, state, hidden, branch, repository_url, pinned_revision FROM jobsets WHERE project_id = $1 AND name = $2`,
    [projects[project], name],
  );
  return rows[0];
}

async function pullRequests(project: string): Promise<any[]> {
  const r = await h.call('GET', `/api/v1/projects/${projects[project]}/pull-requests`, { key: admin });
  expect(r.status).toBe(200);
  return ((await r.json()) as { items: any[] }).items;
}

/** A signed GitHub pull_request delivery, as the forge sends it. */
async function webhook(
  project: string,
  action: string,
  pr: { number: number; author: string; headRepository: string; branch: string; sha: string },
) {
  const payload = pullRequestPayload('github', action, {
    number: pr.number,
    author: pr.author,
    base: 'acme/app',
    baseCloneUrl: github.cloneUrl('acme/app'),
    head: pr.headRepository,
    headCloneUrl: github.cloneUrl(pr.headRepository),
    branch: pr.branch,
    sha: pr.sha,
  });
  const r = await deliver(h.url, projects[project]!, 'github', 'pull_request', payload, SECRET);
  return { status: r.status, body: r.body as any };
}

function failureLogged(project: string, failure: string): Promise<LogRecord> {
  return waitForLogRecord(
    evaluator,
    (r) =>
      r.message === "the forge's open pull requests could not be read; the next pass tries again" &&
      r['projectId'] === projects[project] &&
      r['failure'] === failure,
    `${project}'s ${failure}`,
    120_000,
  );
}

const heads: Record<string, string> = {};

beforeAll(async () => {
  github = await startFakeForge({ kind: 'github', token: GITHUB_TOKEN, pageSize: 2 });
  // Another host name, so each forge's repositories are told apart by host as on real forges.
  gitea = await startFakeForge({ kind: 'gitea', token: GITEA_TOKEN, pageSize: 2, host: 'localhost' });
  for (const forge of [github, gitea]) {
    forge.createRepository('acme/app', { 'release.nix': RELEASE_NIX, message: 'main' });
  }
  github.createRepository('acme/limited', { 'release.nix': RELEASE_NIX, message: 'main' });
  // acme/old-tool was renamed acme/tool: the project still says the old name, the forge redirects.
  github.createRepository('acme/tool', { 'release.nix': RELEASE_NIX, message: 'main' });
  github.renameRepository('acme/old-tool', 'acme/tool');
  github.createRepository('acme/locked', { 'release.nix': RELEASE_NIX, message: 'main' });
  gitea.createRepository('acme/slow', { 'release.nix': RELEASE_NIX, message: 'main' });
  github.failRepository('acme/limited', 'rate-limited');
  github.failRepository('acme/locked', 'unauthorized');
  gitea.failRepository('acme/slow', 'hang');

  const forgeEnv = {
    FC_NOTIFICATIONS__GITHUB_API_URL: github.configUrl,
    FC_NOTIFICATIONS__GITHUB_TOKEN: GITHUB_TOKEN,
    FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme',
    FC_NOTIFICATIONS__GITEA_URL: gitea.configUrl,
    FC_NOTIFICATIONS__GITEA_TOKEN: GITEA_TOKEN,
    FC_NOTIFICATIONS__GITEA_TOKEN_OWNERS: 'acme',
    FC_NOTIFICATIONS__TIMEOUT: '3',
  };
  h = await startApiHarness(await createTestDatabase(), { env: forgeEnv });
  admin = await h.key('admin');
  await createProject('app', github.cloneUrl('acme/app'));
  await createProject('tea', gitea.cloneUrl('acme/app'));
  await createProject('ghost', github.cloneUrl('acme/missing'), false);
  await createProject('limited', github.cloneUrl('acme/limited'), false);
  await createProject('locked', github.cloneUrl('acme/locked'), false);
  await createProject('slow', gitea.cloneUrl('acme/slow'), false);
  await createProject('tool', github.cloneUrl('acme/old-tool'), true, {
    pull_request_trusted_users: ['bob'],
  });

  // While FC runs, a webhook tells it of #4; then fc-evaluator stops (it is not started yet) and
  // #4 is closed and #5, #6, #7 opened with no webhook FC hears.
  heads['4'] = github.commit('acme/app', 'topic-4', { message: 'four' });
  const four = { number: 4, author: 'bob', headRepository: 'acme/app', branch: 'topic-4', sha: heads['4'] };
  github.openPullRequest('acme/app', { ...four, headBranch: four.branch, headSha: four.sha });
  const told = await webhook('app', 'opened', four);
  expect(told.body).toMatchObject({ pull_request: { number: 4, action: 'build' } });
  github.closePullRequest('acme/app', 4);

  heads['5'] = github.commit('acme/app', 'topic-5', { message: 'five' });
  github.openPullRequest('acme/app', {
    number: 5,
    author: 'bob',
    headRepository: 'acme/app',
    headBranch: 'topic-5',
    headSha: heads['5'],
  });
  github.forkRepository('acme/app', 'mallory/app');
  heads['6'] = github.commit('mallory/app', 'idea', { message: 'from mallory' });
  github.openPullRequest('acme/app', {
    number: 6,
    author: 'mallory',
    headRepository: 'mallory/app',
    headBranch: 'idea',
    headSha: heads['6'],
  });
  github.forkRepository('acme/app', 'carol/app');
  github.setPermission('acme/app', 'carol', 'write');
  heads['7'] = github.commit('carol/app', 'fix', { message: 'from carol' });
  github.openPullRequest('acme/app', {
    number: 7,
    author: 'carol',
    headRepository: 'carol/app',
    headBranch: 'fix',
    headSha: heads['7'],
  });
  heads['tea-3'] = gitea.commit('acme/app', 'tea-topic', { message: 'gitea three' });
  gitea.openPullRequest('acme/app', {
    number: 3,
    author: 'dora',
    headRepository: 'acme/app',
    headBranch: 'tea-topic',
    headSha: heads['tea-3'],
  });

  heads['tool-1'] = github.commit('acme/tool', 'topic-1', { message: 'tool one' });
  github.openPullRequest('acme/tool', {
    number: 1,
    author: 'bob',
    headRepository: 'acme/tool',
    headBranch: 'topic-1',
    headSha: heads['tool-1'],
  });

  const runner = mkdtempSync(join(tmpdir(), 'fc-pr-poll-'));
  dirs.push(runner);
  mkdirSync(join(runner, 'work'), { recursive: true });
  const env = { FC_DATABASE__URL: h.db.url, FC_DATABASE__MIN_CONNECTIONS: '0' };
  daemons.push(
    startApp('builder', [], {
      env: {
        ...env,
        FC_LOGS__LOG_DIR: join(runner, 'logs'),
        FC_GC__GC_ROOTS_DIR: join(runner, 'gc-roots'),
        FC_QUEUE_RUNNER__WORK_DIR: join(runner, 'work'),
        FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
        ...forgeEnv,
      },
    }),
  );
  evaluator = startApp('evaluator', [], {
    env: {
      ...env,
      ...forgeEnv,
      FC_EVALUATOR__POLL_INTERVAL: '1',
      FC_EVALUATOR__PULL_REQUEST_POLL_INTERVAL: '2',
      FC_EVALUATOR__WORK_DIR: join(runner, 'eval'),
    },
  });
  daemons.push(evaluator);
  for (const [project, failure] of [
    ['ghost', 'not-found'],
    ['limited', 'rate-limited'],
    ['locked', 'unauthorized'],
    ['slow', 'timeout'],
  ] as const) {
    const logged = failureLogged(project, failure);
    logged.catch(() => undefined);
    forgeFailures.set(project, logged);
  }
}, 120_000);

afterAll(async () => {
  for (const d of daemons) {
    d.kill('SIGTERM');
    await d;
  }
  await h?.close();
  await github?.close();
  await gitea?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 60_000);

describe('pull requests found by the scheduler', () => {
  it('a pull request opened while FC was stopped gets its jobset, evaluated and built at its head', async () => {
    await builtAt('app', 'pr-5', heads['5']!);
    expect(await jobsetRow('app', 'pr-5')).toMatchObject({
      state: 'enabled',
      hidden: false,
      branch: 'topic-5',
      repository_url: github.cloneUrl('acme/app'),
      pinned_revision: heads['5'],
    });
    // Every page, with FC's token.
    const listed = github.requests.filter((r) => r.path.startsWith('/api/v3/repos/acme/app/pulls'));
    expect(listed.some((r) => r.path.includes('page=2'))).toBe(true);
    expect(listed.every((r) => r.authorization === `Bearer ${GITHUB_TOKEN}`)).toBe(true);
  }, 200_000);

  it('a pull request closed meanwhile is retired', async () => {
    await waitFor('pr-4 retired', async () => {
      const row: { state: string } | undefined = await jobsetRow('app', 'pr-4');
      return row?.state === 'disabled' ? row : undefined;
    });
    expect(await jobsetRow('app', 'pr-4')).toMatchObject({ state: 'disabled', hidden: true });
    expect((await pullRequests('app')).find((p) => p.number === 4)).toMatchObject({ state: 'closed' });
  }, 60_000);

  it('a fork by a collaborator with write access is built; a stranger’s fork waits for approval', async () => {
    await builtAt('app', 'pr-7', heads['7']!);
    expect(await jobsetRow('app', 'pr-7')).toMatchObject({ repository_url: github.cloneUrl('carol/app') });
    expect(
      github.requests.some((r) => r.path === '/api/v3/repos/acme/app/collaborators/carol/permission'),
    ).toBe(true);
    const listed = await pullRequests('app');
    expect(listed.find((p) => p.number === 7)).toMatchObject({ waiting_for_approval: false });
    expect(listed.find((p) => p.number === 6)).toMatchObject({
      author: 'mallory',
      state: 'open',
      head_sha: heads['6'],
      waiting_for_approval: true,
      jobset_id: null,
    });
    expect(await jobsetRow('app', 'pr-6')).toBeUndefined();
  }, 200_000);

  it("Gitea's open pull requests are found the same way", async () => {
    await builtAt('tea', 'pr-3', heads['tea-3']!);
    const listed = gitea.requests.filter((r) => r.path.startsWith('/api/v1/repos/acme/app/pulls'));
    expect(listed[0]!.path).toBe('/api/v1/repos/acme/app/pulls?state=open&page=1&limit=50');
    expect(listed.every((r) => r.authorization === `token ${GITEA_TOKEN}`)).toBe(true);
  }, 200_000);

  it('the statuses of a pull request found in the list go to its base repository as the forge names it', async () => {
    const sha = heads['tool-1']!;
    await builtAt('tool', 'pr-1', sha);
    const at = (): PostedStatus[] => github.statuses.filter((s) => s.sha === sha);
    const final = await waitFor('the final statuses of pr-1 and its job', () => {
      const last = new Map(at().map((s) => [s.context, s]));
      const done = ['fc:tool:pr-1', 'fc:tool:pr-1:hello'].every((c) => last.get(c)?.state === 'success');
      return done ? last : undefined;
    });
    expect(final.get('fc:tool:pr-1')?.description).toMatch(/^Evaluation \d+: the build succeeded$/);
    // Posted to acme/tool itself, with FC's token, never through the old name's redirect.
    for (const s of at()) {
      expect({ owner: s.owner, repo: s.repo, authorization: s.authorization }).toEqual({
        owner: 'acme',
        repo: 'tool',
        authorization: `Bearer ${GITHUB_TOKEN}`,
      });
    }
    const posted = github.requests.filter((r) => r.method === 'POST' && r.path.includes('/statuses/'));
    expect(posted.filter((r) => r.path.startsWith('/api/v3/repos/acme/old-tool/'))).toEqual([]);
    expect((await pullRequests('tool')).find((p) => p.number === 1)).toMatchObject({
      base_repository: 'acme/tool',
    });
  }, 200_000);

  it("a forge's failures are logged with the project, and the passes go on", async () => {
    const ghost = await forgeFailures.get('ghost')!;
    expect(ghost).toMatchObject({
      level: 'error',
      forge: 'github',
      repository: 'acme/missing',
      httpStatus: 404,
    });
    expect(String(ghost['error'])).toContain('no such repository');
    expect(await forgeFailures.get('limited')!).toMatchObject({ httpStatus: 403 });
    expect(String((await forgeFailures.get('limited')!)['error'])).toMatch(/rate limited until/);
    expect(await forgeFailures.get('locked')!).toMatchObject({ httpStatus: 401 });
    const slow = await forgeFailures.get('slow')!;
    expect(slow).toMatchObject({ forge: 'gitea', repository: 'acme/slow' });
    expect(String(slow['error'])).toContain('no answer within 3 s');
    for (const r of [ghost, slow]) expect(JSON.stringify(r)).not.toMatch(/token-for-fc/);

    // Later passes still find new heads and new pull requests.
    heads['5b'] = github.commit('acme/app', 'topic-5', { message: 'five, again' });
    github.openPullRequest('acme/app', {
      number: 5,
      author: 'bob',
      headRepository: 'acme/app',
      headBranch: 'topic-5',
      headSha: heads['5b'],
    });
    heads['8'] = github.commit('acme/app', 'topic-8', { message: 'eight' });
    github.openPullRequest('acme/app', {
      number: 8,
      author: 'bob',
      headRepository: 'acme/app',
      headBranch: 'topic-8',
      headSha: heads['8'],
    });
    await builtAt('app', 'pr-5', heads['5b']);
    await builtAt('app', 'pr-8', heads['8']);
    // Still running: signal 0 only checks the process exists.
    expect(process.kill(evaluator.pid!, 0)).toBe(true);
  }, 200_000);

  it("a webhook's fork by a collaborator is built at once: fc-server asks the forge too", async () => {
    heads['9'] = github.commit('carol/app', 'second', { message: 'carol again' });
    const pr = { number: 9, author: 'Carol', headRepository: 'carol/app', branch: 'second', sha: heads['9'] };
    github.openPullRequest('acme/app', { ...pr, headBranch: pr.branch, headSha: pr.sha });
    const opened = await webhook('app', 'opened', pr);
    expect(opened.status).toBe(202);
    expect(opened.body).toMatchObject({ pull_request: { number: 9, action: 'build' } });
    expect(
      github.requests.filter(
        (r) =>
          r.path === '/api/v3/repos/acme/app/collaborators/Carol/permission' &&
          r.userAgent?.startsWith('fc-server'),
      ),
    ).toHaveLength(1);
    await builtAt('app', 'pr-9', heads['9']);

    github.forkRepository('acme/app', 'eve/app');
    heads['10'] = github.commit('eve/app', 'x', { message: 'eve' });
    github.openPullRequest('acme/app', {
      number: 10,
      author: 'eve',
      headRepository: 'eve/app',
      headBranch: 'x',
      headSha: heads['10'],
    });
    const strange = await webhook('app', 'opened', {
      number: 10,
      author: 'eve',
      headRepository: 'eve/app',
      branch: 'x',
      sha: heads['10'],
    });
    expect(strange.body).toMatchObject({ pull_request: { number: 10, action: 'await-approval' } });
  }, 200_000);
});
