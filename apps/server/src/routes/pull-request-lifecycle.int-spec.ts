// A pull request's whole life, for GitHub and for Gitea: their real pull_request deliveries (opened,
// a new head, closed, reopened at a head pushed meanwhile, merged), signed with the project's secret,
// through the real server; the built evaluator and queue runner build each head with real Nix. A
// closed pull request's jobset is disabled and hidden, enabled and evaluated again on reopen, and
// removed once the template jobset has recorded keep_nr evaluations since the close. The evaluator
// runs with restrict_eval off, and a pull request's evaluation is restricted all the same.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deliver, pullRequestPayload, type FakePullRequest, type FakeForgeKind } from '@fc/testing';
import {
  commitOn,
  initRepository,
  releaseNix,
  startPullRequestEnv,
  waitFor,
  type PullRequestEnv,
} from '../testing/pull-request-env';

const SECRET = 'lifecycle-secret';
const salt = randomUUID();
let env: PullRequestEnv;

interface Project {
  readonly id: number;
  readonly repo: string;
}

async function createProject(
  name: string,
  forge: FakeForgeKind,
  files: Record<string, string>,
): Promise<Project> {
  const repo = env.tempDir(`fc-prl-${name}-`);
  initRepository(repo, files);
  const p = await env.h.call('POST', '/api/v1/projects', {
    key: env.admin,
    body: {
      name,
      repository_url: `file://${repo}`,
      [`${forge}_webhook_secret`]: SECRET,
      build_pull_requests: true,
    },
  });
  expect(p.status).toBe(201);
  const id = ((await p.json()) as { id: number }).id;
  const j = await env.h.call('POST', `/api/v1/projects/${id}/jobsets`, {
    key: env.admin,
    body: { name: 'main', nix_expression: 'release.nix', check_interval: 0, keep_nr: 1 },
  });
  expect(j.status).toBe(201);
  return { id, repo };
}

async function send(
  project: Project,
  forge: FakeForgeKind,
  action: string,
  pr: FakePullRequest,
  options: { merged?: boolean } = {},
) {
  return deliver(
    env.h.url,
    project.id,
    forge,
    'pull_request',
    pullRequestPayload(forge, action, pr, options),
    SECRET,
  );
}

interface JobsetState {
  readonly id: number;
  readonly state: string;
  readonly hidden: boolean;
  readonly pinned_revision: string | null;
}

async function jobset(projectId: number, name: string): Promise<JobsetState | undefined> {
  const { rows } = await env.h.pool.query<JobsetState>(
    `SELECT id::int, state, hidden, pinned_revision FROM jobsets WHERE project_id = $1 AND name = $2`,
    [projectId, name],
  );
  return rows[0];
}

/** Waits until the jobset has a succeeded evaluation at `sha` whose builds all finished; their outputs by job. */
async function builtAt(projectId: number, name: string, sha: string): Promise<Map<string, string>> {
  return waitFor(`${name} built at ${sha}`, async () => {
    const { rows } = await env.h.pool.query<{ job: string; finished: boolean; status: number; out: string }>(
      `SELECT b.job, b.finished, b.build_status AS status,
         (SELECT min(o.path) FROM build_outputs o WHERE o.build_id = b.id) AS out
       FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id
       JOIN evaluation_builds eb ON eb.evaluation_id = e.id JOIN builds b ON b.id = eb.build_id
       WHERE j.project_id = $1 AND j.name = $2 AND e.revision = $3 AND e.status = 'succeeded'`,
      [projectId, name, sha],
    );
    if (rows.length !== 2 || rows.some((r) => !r.finished)) return undefined;
    for (const r of rows) expect({ job: r.job, status: r.status }).toEqual({ job: r.job, status: 0 });
    return new Map(rows.map((r) => [r.job, r.out]));
  });
}

beforeAll(async () => {
  env = await startPullRequestEnv();
  env.startEvaluator({ FC_EVALUATOR__RESTRICT_EVAL: 'false' });
  env.startBuilder();
}, 60_000);

afterAll(async () => {
  await env?.stop();
}, 60_000);

describe.each(['github', 'gitea'] as const)('a pull request’s life on %s', (forge) => {
  const synchronize = forge === 'github' ? 'synchronize' : 'synchronized';

  it('opened, a new head, closed, reopened at a newer head, merged; removed after keep_nr template evaluations', async () => {
    const project = await createProject(`${forge}-life`, forge, {
      'release.nix': releaseNix(`${salt}-${forge}`),
      message: 'main',
    });
    const pr = (sha: string): FakePullRequest => ({
      number: 5,
      author: 'bob',
      base: 'acme/app',
      baseCloneUrl: `file://${project.repo}`,
      head: 'acme/app',
      headCloneUrl: `file://${project.repo}`,
      branch: 'feature',
      sha,
    });

    const first = commitOn(project.repo, 'feature', { message: 'first head' });
    const opened = await send(project, forge, 'opened', pr(first));
    expect(opened).toMatchObject({
      status: 202,
      body: { pull_request: { number: 5, action: 'build' }, message: `evaluating pr-5 at ${first}` },
    });
    const one = await builtAt(project.id, 'pr-5', first);

    const second = commitOn(project.repo, 'feature', { message: 'second head' });
    const moved = await send(project, forge, synchronize, pr(second));
    expect(moved.body).toMatchObject({ pull_request: { number: 5, action: 'build' } });
    const two = await builtAt(project.id, 'pr-5', second);
    expect(two.get('hello')).not.toBe(one.get('hello'));

    const closed = await send(project, forge, 'closed', pr(second));
    expect(closed).toMatchObject({
      status: 202,
      body: {
        pull_request: { number: 5, action: 'retire' },
        message: 'pull request #5 closed: pr-5 disabled and hidden',
      },
    });
    expect(await jobset(project.id, 'pr-5')).toMatchObject({ state: 'disabled', hidden: true });

    // Pushed to while closed: the reopened event names the newer head, which is built.
    const third = commitOn(project.repo, 'feature', { message: 'third head, pushed while closed' });
    const reopened = await send(project, forge, 'reopened', pr(third));
    expect(reopened.body).toMatchObject({ pull_request: { number: 5, action: 'build' } });
    expect(await jobset(project.id, 'pr-5')).toMatchObject({
      state: 'enabled',
      hidden: false,
      pinned_revision: third,
    });
    await builtAt(project.id, 'pr-5', third);

    const merged = await send(project, forge, 'closed', pr(third), { merged: true });
    expect(merged.body).toMatchObject({
      pull_request: { number: 5, action: 'retire' },
      message: 'pull request #5 merged: pr-5 disabled and hidden',
    });
    const retired = await jobset(project.id, 'pr-5');
    expect(retired).toMatchObject({ state: 'disabled', hidden: true });
    const listed = await env.h.call('GET', `/api/v1/projects/${project.id}/pull-requests`, {
      key: env.admin,
    });
    expect(((await listed.json()) as { items: unknown[] }).items).toMatchObject([
      {
        number: 5,
        state: 'closed',
        merged: true,
        closed_at: expect.any(String),
        base_repository: 'acme/app',
        head_sha: third,
        jobset_id: retired!.id,
      },
    ]);

    // keep_nr is 1: the template's next evaluation (the merge landing on main) removes pr-5, in the
    // transaction that records it.
    const landed = commitOn(project.repo, 'main', { message: 'merged' });
    const main = await jobset(project.id, 'main');
    const trigger = await env.h.call('POST', '/api/v1/evaluations/trigger', {
      key: env.admin,
      body: { jobset_id: main!.id },
    });
    expect(trigger.status).toBe(202);
    await waitFor('the template evaluated at the merge', async () => {
      const { rows } = await env.h.pool.query(
        `SELECT 1 FROM evaluations WHERE jobset_id = $1 AND revision = $2 AND status = 'succeeded'`,
        [main!.id, landed],
      );
      return rows.length > 0 ? true : undefined;
    });
    expect(await jobset(project.id, 'pr-5')).toBeUndefined();
    const { rows: gone } = await env.h.pool.query(
      'SELECT count(*)::int AS n FROM builds WHERE jobset_id = $1',
      [retired!.id],
    );
    expect(gone[0]).toEqual({ n: 0 });
    const after = await env.h.call('GET', `/api/v1/projects/${project.id}/pull-requests`, { key: env.admin });
    expect(((await after.json()) as { items: unknown[] }).items).toMatchObject([
      { number: 5, state: 'closed', jobset_id: null },
    ]);
  }, 300_000);
});

describe('restricted evaluation of pull requests', () => {
  it('fails a pull request whose expression reads a path outside its inputs, while the template (evaluator unrestricted) reads it', async () => {
    const outside = env.tempDir('fc-prl-outside-');
    writeFileSync(join(outside, 'secret'), 'not an input');
    const project = await createProject('restricted', 'github', {
      'release.nix': `{ ... }:
        let secret = builtins.readFile ${join(outside, 'secret')}; in
        builtins.seq secret {
          hello = derivation {
            name = "pr-restricted-${salt}"; system = builtins.currentSystem; builder = "/bin/sh";
            PATH = "/usr/bin:/bin"; args = [ "-c" "echo \${secret} > $out" ];
          };
        }`,
    });
    const main = await jobset(project.id, 'main');
    await env.h.call('POST', '/api/v1/evaluations/trigger', {
      key: env.admin,
      body: { jobset_id: main!.id },
    });
    const template = await waitFor('the template’s evaluation', async () => {
      const { rows } = await env.h.pool.query<{ status: string; error: string | null }>(
        `SELECT status, error FROM evaluations WHERE jobset_id = $1 AND status IN ('succeeded', 'failed')`,
        [main!.id],
      );
      return rows[0];
    });
    expect(template).toEqual({ status: 'succeeded', error: null });

    const sha = commitOn(project.repo, 'sneaky', { README: 'same expression, as a pull request' });
    const opened = await send(project, 'github', 'opened', {
      number: 1,
      author: 'bob',
      base: 'acme/app',
      baseCloneUrl: `file://${project.repo}`,
      head: 'acme/app',
      headCloneUrl: `file://${project.repo}`,
      branch: 'sneaky',
      sha,
    });
    expect(opened.body).toMatchObject({ pull_request: { number: 1, action: 'build' } });
    const pr = await waitFor('pr-1’s evaluation', async () => {
      const { rows } = await env.h.pool.query<{ status: string; error: string | null }>(
        `SELECT e.status, e.error FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id
         WHERE j.project_id = $1 AND j.name = 'pr-1' AND e.status IN ('succeeded', 'failed')`,
        [project.id],
      );
      return rows[0];
    });
    expect(pr.status).toBe('failed');
    expect(pr.error).toContain('restricted mode');
    // The forge hears of it: the evaluation's summary status at the head is a failure.
    const summary = await waitFor('the failed evaluation’s summary status', () =>
      env.forges.github.statuses.find((s) => s.sha === sha && s.context === 'fc:restricted:pr-1'),
    );
    expect(summary).toMatchObject({ state: 'failure', owner: 'acme', repo: 'app' });
    expect(summary.description).toMatch(/^Evaluation \d+: the evaluation failed$/);
  }, 300_000);
});
