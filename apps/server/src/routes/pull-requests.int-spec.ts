/* eslint-disable @typescript-eslint/no-explicit-any */
// Pull requests end to end: a local git repository plays the project's GitHub repository, signed
// pull_request payloads of GitHub's shape go through the real server, and the built evaluator and
// queue runner evaluate and build the pr-<number> jobset at the head with real Nix; closing retires
// it, and an untrusted author's fork waits until an admin approves it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deliver, pullRequestPayload, type FakeForgeKind } from '@fc/testing';
import type { ApiHarness } from '../testing/api-harness';
import {
  commitOn,
  forkRepository,
  initRepository,
  startPullRequestEnv,
  waitFor,
  type PullRequestEnv,
} from '../testing/pull-request-env';

const SECRET = 'pr-secret';
let env: PullRequestEnv;
let h: ApiHarness;
let admin: string;
let projectId: number;
let repo: string;
let fork: string;
const salt = randomUUID();

/** A commit on the branch changing what the job builds; its sha. */
function commit(dir: string, branch: string, message: string): string {
  return commitOn(dir, branch, { message });
}

/** A signed pull_request delivery as GitHub (or Gitea) sends it. */
async function pullRequestEvent(
  action: string,
  pr: { number: number; author: string; headRepo: string; branch: string; sha: string },
  forge: FakeForgeKind = 'github',
) {
  const head = pr.headRepo === `file://${repo}` ? 'acme/app' : `${pr.author.toLowerCase()}/app`;
  const payload = pullRequestPayload(forge, action, {
    number: pr.number,
    author: pr.author,
    base: 'acme/app',
    baseCloneUrl: `file://${repo}`,
    head,
    headCloneUrl: pr.headRepo,
    branch: pr.branch,
    sha: pr.sha,
  });
  const r = await deliver(h.url, projectId, forge, 'pull_request', payload, SECRET);
  return { status: r.status, body: r.body as any };
}

/** Waits for a succeeded evaluation of the jobset at the commit whose one build succeeded; its output. */
async function builtAt(jobset: string, sha: string): Promise<{ evaluation: number; out: string }> {
  return waitFor(`${jobset} built at ${sha}`, async () => {
    const { rows } = await h.pool.query(
      `SELECT e.id, b.build_status, b.finished, (SELECT min(o.path) FROM build_outputs o WHERE o.build_id = b.id) AS out
       FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id
       JOIN builds b ON b.evaluation_id = e.id
       WHERE j.project_id = $1 AND j.name = $2 AND e.revision = $3 AND e.status = 'succeeded'`,
      [projectId, jobset, sha],
    );
    const row = rows[0];
    if (!row?.finished) return undefined;
    expect(row.build_status).toBe(0);
    return { evaluation: Number(row.id), out: String(row.out) };
  });
}

async function jobsetRow(name: string): Promise<any> {
  const { rows } = await h.pool.query(
    `SELECT id, state, hidden, branch, repository_url, pinned_revision, nix_expression FROM jobsets WHERE project_id = $1 AND name = $2`,
    [projectId, name],
  );
  return rows[0];
}

beforeAll(async () => {
  env = await startPullRequestEnv();
  ({ h, admin } = env);
  repo = env.tempDir('fc-pr-repo-');
  initRepository(repo, {
    'release.nix': `{ ... }: { hello = derivation {
       name = "pr-hello-${salt}"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
       args = [ "-c" "cat \${./message} > $out" ];
     }; }`,
    message: 'main',
  });

  const p = await h.call('POST', '/api/v1/projects', {
    key: admin,
    body: {
      name: 'app',
      repository_url: `file://${repo}`,
      github_webhook_secret: SECRET,
      gitea_webhook_secret: SECRET,
      build_pull_requests: true,
      pull_request_trusted_users: ['alice'],
    },
  });
  expect(p.status).toBe(201);
  const project = (await p.json()) as any;
  expect(project).toMatchObject({
    build_pull_requests: true,
    pull_request_template_jobset: null,
    pull_request_trusted_users: ['alice'],
  });
  projectId = project.id;
  const j = await h.call('POST', `/api/v1/projects/${projectId}/jobsets`, {
    key: admin,
    body: { name: 'main', nix_expression: 'release.nix', check_interval: 0, keep_nr: 2 },
  });
  expect(j.status).toBe(201);
  const named = await h.call('PATCH', `/api/v1/projects/${projectId}`, {
    key: admin,
    body: { pull_request_template_jobset: 'main' },
  });
  expect(((await named.json()) as any).pull_request_template_jobset).toBe('main');

  env.startBuilder();
  env.startEvaluator();
}, 60_000);

afterAll(async () => {
  await env?.stop();
}, 60_000);

describe('pull requests', () => {
  it('a pull request from the project’s repository is built at each head and retired on close', async () => {
    const first = commit(repo, 'feature', 'first head');
    const pr = { number: 7, author: 'bob', headRepo: `file://${repo}`, branch: 'feature', sha: first };
    const opened = await pullRequestEvent('opened', pr);
    expect(opened.status).toBe(202);
    expect(opened.body).toMatchObject({
      event: 'pull_request',
      pull_request: { number: 7, action: 'build' },
      jobsets: [{ name: 'pr-7' }],
      message: `evaluating pr-7 at ${first}`,
    });
    expect(await jobsetRow('pr-7')).toMatchObject({
      state: 'enabled',
      hidden: false,
      branch: 'feature',
      repository_url: `file://${repo}`,
      pinned_revision: first,
      nix_expression: 'release.nix',
    });
    const one = await builtAt('pr-7', first);

    const second = commit(repo, 'feature', 'second head');
    // The branch moves on before the evaluation: the commit the webhook named is still the one built.
    commit(repo, 'feature', 'third head, not announced yet');
    const synchronized = await pullRequestEvent('synchronize', { ...pr, sha: second });
    expect(synchronized.status).toBe(202);
    expect(synchronized.body.jobset_ids).toEqual(opened.body.jobset_ids);
    const two = await builtAt('pr-7', second);
    expect(two.evaluation).toBeGreaterThan(one.evaluation);
    expect(two.out).not.toBe(one.out);

    const closed = await pullRequestEvent('closed', { ...pr, sha: second });
    expect(closed.status).toBe(202);
    expect(closed.body).toMatchObject({
      pull_request: { number: 7, action: 'retire' },
      message: 'pull request #7 closed: pr-7 disabled and hidden',
    });
    expect(await jobsetRow('pr-7')).toMatchObject({ state: 'disabled', hidden: true });
  }, 300_000);

  it('a fork by an untrusted author waits for approval, then is built at the fork’s head', async () => {
    fork = env.tempDir('fc-pr-fork-');
    forkRepository(repo, fork);
    const sha = commit(fork, 'idea', 'from a fork');
    const pr = { number: 8, author: 'mallory', headRepo: `file://${fork}`, branch: 'idea', sha };
    const opened = await pullRequestEvent('opened', pr);
    expect(opened.status).toBe(202);
    expect(opened.body).toMatchObject({
      pull_request: { number: 8, action: 'await-approval' },
      jobset_ids: [],
    });
    expect(opened.body.message).toContain(`/api/v1/projects/${projectId}/pull-requests/8/approve`);
    expect(await jobsetRow('pr-8')).toBeUndefined();
    const listed = await h.call('GET', `/api/v1/projects/${projectId}/pull-requests`, { key: admin });
    expect(((await listed.json()) as any).items).toMatchObject([
      {
        number: 8,
        author: 'mallory',
        state: 'open',
        head_sha: sha,
        waiting_for_approval: true,
        jobset_id: null,
      },
      { number: 7, state: 'closed', waiting_for_approval: false },
    ]);

    const anonymous = await h.call('POST', `/api/v1/projects/${projectId}/pull-requests/8/approve`);
    expect(anonymous.status).toBe(401);
    const unknown = await h.call('POST', `/api/v1/projects/${projectId}/pull-requests/99/approve`, {
      key: admin,
    });
    expect(unknown.status).toBe(404);
    const approved = await h.call('POST', `/api/v1/projects/${projectId}/pull-requests/8/approve`, {
      key: admin,
    });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ action: 'build', jobset: { name: 'pr-8' } });
    expect(await jobsetRow('pr-8')).toMatchObject({ branch: 'idea', repository_url: `file://${fork}` });
    await builtAt('pr-8', sha);
    const after = await h.call('GET', `/api/v1/projects/${projectId}/pull-requests`, { key: admin });
    expect(((await after.json()) as any).items[0]).toMatchObject({ number: 8, waiting_for_approval: false });

    // A fork by a trusted author is built at once; Gitea's delivery (its own signature header and
    // its action name 'synchronized') does the same.
    const trusted = await pullRequestEvent('opened', { ...pr, number: 9, author: 'Alice' }, 'gitea');
    expect(trusted.status).toBe(202);
    expect(trusted.body).toMatchObject({
      pull_request: { number: 9, action: 'build' },
      jobsets: [{ name: 'pr-9' }],
    });
    const next = commit(fork, 'idea', 'from a fork, again');
    const moved = await pullRequestEvent(
      'synchronized',
      { ...pr, number: 9, author: 'Alice', sha: next },
      'gitea',
    );
    expect(moved.body).toMatchObject({ pull_request: { number: 9, action: 'build' } });
    await builtAt('pr-9', next);
  }, 300_000);
});
