// Pull requests of a declarative project: its spec (a static one, applied by the built evaluator)
// names the template jobset with build_pull_requests and sets the trusted users and status mode; a
// GitHub pull request then gets its jobset from that template (its git input pointed at the head),
// built with real Nix, with the summary status at the head. Applying the spec again leaves the pull
// request's jobset alone; a spec saying build_pull_requests: false turns them off.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deliver, pullRequestPayload } from '@fc/testing';
import {
  commitOn,
  initRepository,
  releaseNix,
  startPullRequestEnv,
  waitFor,
  type PullRequestEnv,
} from '../testing/pull-request-env';

const SECRET = 'declarative-secret';
let env: PullRequestEnv;

beforeAll(async () => {
  env = await startPullRequestEnv();
  env.startEvaluator();
  env.startBuilder();
}, 60_000);

afterAll(async () => {
  await env?.stop();
}, 60_000);

function spec(repo: string, description: string, pullRequests: Record<string, unknown>): string {
  return JSON.stringify({
    main: {
      enabled: 1,
      hidden: false,
      description,
      nixexprinput: 'src',
      nixexprpath: 'release.nix',
      checkinterval: 0,
      schedulingshares: 1,
      keepnr: 1,
      inputs: { src: { type: 'git', value: `file://${repo} main` } },
      ...pullRequests,
    },
  });
}

describe('a declarative project’s pull requests', () => {
  it('takes build_pull_requests, the trusted users and the status mode from the spec, and keeps pull requests’ jobsets', async () => {
    const repo = env.tempDir('fc-prd-repo-');
    initRepository(repo, { 'release.nix': releaseNix(randomUUID()), message: 'main' });
    const specRepo = env.tempDir('fc-prd-spec-');
    const keys = {
      build_pull_requests: true,
      pull_request_trusted_users: ['alice'],
      pull_request_statuses: 'summary',
    };
    initRepository(specRepo, { 'spec.json': spec(repo, 'the template', keys) });
    const created = await env.h.call('POST', '/api/v1/projects', {
      key: env.admin,
      body: {
        name: 'decl',
        repository_url: `file://${repo}`,
        github_webhook_secret: SECRET,
        declarative: { file: 'spec.json', type: 'git', value: `file://${specRepo}` },
      },
    });
    expect(created.status).toBe(201);
    const projectId = ((await created.json()) as { id: number }).id;
    const project = () =>
      env.h
        .call('GET', `/api/v1/projects/${projectId}`, { key: env.admin })
        .then((r) => r.json() as Promise<Record<string, unknown>>);
    await waitFor('the spec applied', async () =>
      (await project())['build_pull_requests'] ? true : undefined,
    );
    expect(await project()).toMatchObject({
      build_pull_requests: true,
      pull_request_template_jobset: 'main',
      pull_request_trusted_users: ['alice'],
      pull_request_statuses: 'summary',
    });

    const sha = commitOn(repo, 'feature', { message: 'a pull request' });
    const opened = await deliver(
      env.h.url,
      projectId,
      'github',
      'pull_request',
      pullRequestPayload('github', 'opened', {
        number: 1,
        author: 'bob',
        base: 'acme/app',
        baseCloneUrl: `file://${repo}`,
        head: 'acme/app',
        headCloneUrl: `file://${repo}`,
        branch: 'feature',
        sha,
      }),
      SECRET,
    );
    expect(opened.body).toMatchObject({ pull_request: { number: 1, action: 'build' } });
    const { rows: inputs } = await env.h.pool.query(
      `SELECT i.name, i.value, i.branch FROM jobset_inputs i JOIN jobsets j ON j.id = i.jobset_id
       WHERE j.project_id = $1 AND j.name = 'pr-1'`,
      [projectId],
    );
    expect(inputs).toEqual([{ name: 'src', value: `file://${repo}`, branch: 'feature' }]);
    // Built at the head (the src input's revision), and only the summary status posted there.
    const summary = await waitFor('the summary status at the head', () =>
      env.forges.github.statuses.find(
        (s) => s.sha === sha && s.context === 'fc:decl:pr-1' && s.state !== 'pending',
      ),
    );
    expect(summary).toMatchObject({ state: 'success', owner: 'acme', repo: 'app' });
    expect(env.forges.github.statuses.filter((s) => s.sha === sha && s.context !== 'fc:decl:pr-1')).toEqual(
      [],
    );

    // The spec applied again: main is updated, pr-1 (not in the spec) stays enabled and shown.
    commitOn(specRepo, 'main', { 'spec.json': spec(repo, 'the template, again', keys) });
    const jobsetsJobset = await env.h.pool.query<{ id: string }>(
      `SELECT id FROM jobsets WHERE project_id = $1 AND name = '.jobsets'`,
      [projectId],
    );
    await env.h.call('POST', '/api/v1/evaluations/trigger', {
      key: env.admin,
      body: { jobset_id: Number(jobsetsJobset.rows[0]!.id) },
    });
    await waitFor('the changed spec applied', async () => {
      const { rows } = await env.h.pool.query(
        `SELECT 1 FROM jobsets WHERE project_id = $1 AND name = 'main' AND description = 'the template, again'`,
        [projectId],
      );
      return rows.length > 0 ? true : undefined;
    });
    const { rows: pr } = await env.h.pool.query(
      `SELECT state, hidden FROM jobsets WHERE project_id = $1 AND name = 'pr-1'`,
      [projectId],
    );
    expect(pr).toEqual([{ state: 'enabled', hidden: false }]);

    // build_pull_requests: false in the spec turns them off.
    commitOn(specRepo, 'main', { 'spec.json': spec(repo, 'the template', { build_pull_requests: false }) });
    await env.h.call('POST', '/api/v1/evaluations/trigger', {
      key: env.admin,
      body: { jobset_id: Number(jobsetsJobset.rows[0]!.id) },
    });
    await waitFor('pull requests turned off', async () =>
      (await project())['build_pull_requests'] === false ? true : undefined,
    );
    expect(await project()).toMatchObject({
      pull_request_template_jobset: 'main',
      pull_request_trusted_users: ['alice'],
    });
  }, 300_000);
});
