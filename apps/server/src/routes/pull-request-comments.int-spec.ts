// The comment command end to end, for GitHub and Gitea: an untrusted author's fork waits; their own
// `/fc approve`, an edited comment and a comment on an issue change nothing (the untrusted commenter
// logged with the reason); the command by a user on the project's list, or by a collaborator the
// forge says may write (its permission API, played by the fake forge), approves the pull request,
// whose jobset is then built at the fork's head with real Nix.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@fc/logging';
import {
  commentPayload,
  deliver,
  pullRequestPayload,
  type FakePullRequest,
  type FakeForgeKind,
} from '@fc/testing';
import {
  commitOn,
  forkRepository,
  initRepository,
  releaseNix,
  startPullRequestEnv,
  waitFor,
  type PullRequestEnv,
} from '../testing/pull-request-env';

const SECRET = 'comments-secret';
const salt = randomUUID();
let env: PullRequestEnv;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      logLines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  env = await startPullRequestEnv({ logger: createLogger({ service: 'fc-server', stream }) });
  env.startEvaluator();
  env.startBuilder();
}, 60_000);

afterAll(async () => {
  await env?.stop();
}, 60_000);

describe.each(['github', 'gitea'] as const)('the /fc approve comment on %s', (forge: FakeForgeKind) => {
  it('approves an untrusted fork only when a trusted user or a collaborator with write access comments it', async () => {
    const repo = env.tempDir(`fc-prc-${forge}-`);
    initRepository(repo, { 'release.nix': releaseNix(`${salt}-${forge}`), message: 'main' });
    const created = await env.h.call('POST', '/api/v1/projects', {
      key: env.admin,
      body: {
        name: `${forge}-comments`,
        repository_url: `file://${repo}`,
        [`${forge}_webhook_secret`]: SECRET,
        build_pull_requests: true,
        pull_request_trusted_users: ['Alice'],
      },
    });
    const projectId = ((await created.json()) as { id: number }).id;
    await env.h.call('POST', `/api/v1/projects/${projectId}/jobsets`, {
      key: env.admin,
      body: { name: 'main', nix_expression: 'release.nix', check_interval: 0 },
    });
    const fork = join(env.tempDir(`fc-prc-${forge}-fork-`), 'app');
    forkRepository(repo, fork);
    const pr = (number: number, sha: string): FakePullRequest => ({
      number,
      author: 'mallory',
      base: 'acme/app',
      baseCloneUrl: `file://${repo}`,
      head: 'mallory/app',
      headCloneUrl: `file://${fork}`,
      branch: `idea-${number}`,
      sha,
    });
    const comment = (p: FakePullRequest, commenter: string, body: string, action = 'created') =>
      deliver(
        env.h.url,
        projectId,
        forge,
        'issue_comment',
        commentPayload(forge, p, commenter, body, action),
        SECRET,
      );

    const first = pr(1, commitOn(fork, 'idea-1', { message: 'from a fork' }));
    const opened = await deliver(
      env.h.url,
      projectId,
      forge,
      'pull_request',
      pullRequestPayload(forge, 'opened', first),
      SECRET,
    );
    expect(opened.body).toMatchObject({ pull_request: { number: 1, action: 'await-approval' } });

    // The author approving their own pull request: ignored, and logged with the reason.
    const own = await comment(first, 'mallory', 'Ready!\n/fc approve');
    expect(own).toMatchObject({
      status: 200,
      body: { event: 'issue_comment', pull_request: { number: 1, action: 'ignore' } },
    });
    expect(own.body['message']).toMatch(
      /^\/fc approve on #1 ignored: mallory is not trusted \(not in pull_request_trusted_users, and none permission on acme\/app\)$/,
    );
    expect(
      logLines.find(
        (l) =>
          l['message'] === 'pull request approval comment ignored: the commenter is not trusted' &&
          l['commenter'] === 'mallory' &&
          l['forge'] === forge,
      ),
    ).toMatchObject({
      level: 'warn',
      pullRequest: 1,
      reason: 'not in pull_request_trusted_users, and none permission on acme/app',
    });
    // An edited comment, and a comment without the command, are not commands.
    expect((await comment(first, 'alice', '/fc approve', 'edited')).body).toMatchObject({
      pull_request: { action: 'ignore' },
      message: 'comment on #1 ignored: a comment edited, not created',
    });
    expect((await comment(first, 'alice', 'please /fc approve this')).body).toMatchObject({
      pull_request: { action: 'ignore' },
      message: 'comment on #1 ignored: the comment holds no FC command',
    });
    const waiting = await env.h.call('GET', `/api/v1/projects/${projectId}/pull-requests`, {
      key: env.admin,
    });
    expect(((await waiting.json()) as { items: unknown[] }).items).toMatchObject([
      { number: 1, waiting_for_approval: true, jobset_id: null },
    ]);

    // A user on the project's list (compared without case).
    const listed = await comment(first, 'alice', 'LGTM\n\n@fc approve\n');
    expect(listed).toMatchObject({
      status: 202,
      body: { pull_request: { number: 1, action: 'build' }, jobsets: [{ name: 'pr-1' }] },
    });
    expect(listed.body['message']).toBe(
      `approved by alice (listed in pull_request_trusted_users): evaluating pr-1 at ${first.sha}`,
    );

    // A collaborator with write access, as the forge's permission API says.
    env.forges[forge].setPermission('acme/app', 'maintainer', 'write');
    const second = pr(2, commitOn(fork, 'idea-2', { message: 'from a fork, again' }));
    await deliver(
      env.h.url,
      projectId,
      forge,
      'pull_request',
      pullRequestPayload(forge, 'opened', second),
      SECRET,
    );
    const collaborator = await comment(second, 'maintainer', '/fc approve');
    expect(collaborator).toMatchObject({
      status: 202,
      body: { pull_request: { number: 2, action: 'build' } },
    });
    expect(collaborator.body['message']).toBe(
      `approved by maintainer (write permission on acme/app): evaluating pr-2 at ${second.sha}`,
    );
    expect(env.forges[forge].requests.map((r) => `${r.method} ${r.path}`)).toContain(
      forge === 'github'
        ? 'GET /api/v3/repos/acme/app/collaborators/maintainer/permission'
        : 'GET /api/v1/repos/acme/app/collaborators/maintainer/permission',
    );

    // Both are built at the fork's heads.
    for (const [name, sha] of [
      ['pr-1', first.sha],
      ['pr-2', second.sha],
    ] as const) {
      await waitFor(`${name} built at ${sha}`, async () => {
        const { rows } = await env.h.pool.query<{ finished: boolean; build_status: number | null }>(
          `SELECT b.finished, b.build_status FROM builds b JOIN evaluations e ON e.id = b.evaluation_id
           JOIN jobsets j ON j.id = e.jobset_id WHERE j.project_id = $1 AND j.name = $2 AND e.revision = $3`,
          [projectId, name, sha],
        );
        return rows.length === 2 && rows.every((r) => r.finished) ? rows : undefined;
      });
    }
  }, 300_000);
});
