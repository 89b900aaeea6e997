// Commit statuses of pull requests end to end: GitHub and Gitea pull_request deliveries (their real
// payloads, signed) through the real server, the built evaluator and queue runner building with real
// Nix, and a fake forge receiving the statuses. Each pull request's head commit, from the project's
// own repository and from a fork, gets every job's status (pending, then final) and the evaluation's
// summary in the BASE repository's statuses API, linked to FC's pages; the project's
// pull_request_statuses chooses per-job statuses, the summary, or both.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  deliver,
  pullRequestPayload,
  type FakePullRequest,
  type FakeForgeKind,
  type PostedStatus,
} from '@fc/testing';
import {
  BASE_URL,
  commitOn,
  forkRepository,
  initRepository,
  releaseNix,
  startPullRequestEnv,
  waitFor,
  type PullRequestEnv,
} from '../testing/pull-request-env';

const SECRET = 'statuses-secret';
const salt = randomUUID();
let env: PullRequestEnv;

interface ForgeProject {
  readonly forge: FakeForgeKind;
  readonly name: string;
  readonly id: number;
  readonly repo: string;
  readonly fork: string;
}
const projects = new Map<FakeForgeKind, ForgeProject>();

async function createProject(forge: FakeForgeKind): Promise<ForgeProject> {
  const name = `${forge}-app`;
  const repo = env.tempDir(`fc-prs-${forge}-repo-`);
  initRepository(repo, { 'release.nix': releaseNix(salt), message: 'main' });
  const p = await env.h.call('POST', '/api/v1/projects', {
    key: env.admin,
    body: {
      name,
      repository_url: `file://${repo}`,
      [`${forge}_webhook_secret`]: SECRET,
      build_pull_requests: true,
      pull_request_trusted_users: ['alice'],
    },
  });
  expect(p.status).toBe(201);
  const id = ((await p.json()) as { id: number }).id;
  const j = await env.h.call('POST', `/api/v1/projects/${id}/jobsets`, {
    key: env.admin,
    body: { name: 'main', nix_expression: 'release.nix', check_interval: 0 },
  });
  expect(j.status).toBe(201);
  const fork = join(env.tempDir(`fc-prs-${forge}-fork-`), 'app');
  forkRepository(repo, fork);
  return { forge, name, id, repo, fork };
}

function pullRequest(p: ForgeProject, number: number, fromFork: boolean, sha: string): FakePullRequest {
  return {
    number,
    author: fromFork ? 'alice' : 'bob',
    base: 'acme/app',
    baseCloneUrl: `file://${p.repo}`,
    head: fromFork ? 'alice/app' : 'acme/app',
    headCloneUrl: `file://${fromFork ? p.fork : p.repo}`,
    branch: `change-${number}`,
    sha,
  };
}

async function send(p: ForgeProject, action: string, pr: FakePullRequest) {
  const r = await deliver(
    env.h.url,
    p.id,
    p.forge,
    'pull_request',
    pullRequestPayload(p.forge, action, pr),
    SECRET,
  );
  expect(r.status).toBe(202);
  expect(r.body).toMatchObject({ pull_request: { number: pr.number, action: 'build' } });
  return r;
}

function statusesAt(forge: FakeForgeKind, sha: string): PostedStatus[] {
  return env.forges[forge].statuses.filter((s) => s.sha === sha);
}

/** Waits until every context has a final (non-pending) state at the commit; the last status of each. */
async function finalStatuses(
  forge: FakeForgeKind,
  sha: string,
  contexts: readonly string[],
): Promise<Map<string, PostedStatus>> {
  return waitFor(`final statuses ${contexts.join(', ')} at ${sha}`, () => {
    const last = new Map<string, PostedStatus>();
    for (const s of statusesAt(forge, sha)) last.set(s.context, s);
    return contexts.every((c) => last.has(c) && last.get(c)!.state !== 'pending') ? last : undefined;
  });
}

/** The states posted for one context at the commit, in order. */
function statesOf(forge: FakeForgeKind, sha: string, context: string): string[] {
  return statusesAt(forge, sha)
    .filter((s) => s.context === context)
    .map((s) => s.state);
}

async function buildIdOf(projectId: number, jobset: string, job: string, evaluationRevision: string) {
  const { rows } = await env.h.pool.query<{ id: string; eval: string }>(
    `SELECT b.id, e.id AS eval FROM builds b JOIN evaluation_builds eb ON eb.build_id = b.id
     JOIN evaluations e ON e.id = eb.evaluation_id JOIN jobsets j ON j.id = e.jobset_id
     WHERE j.project_id = $1 AND j.name = $2 AND b.job = $3 AND e.revision = $4`,
    [projectId, jobset, job, evaluationRevision],
  );
  return { build: Number(rows[0]!.id), evaluation: Number(rows[0]!.eval) };
}

/** Waits until the evaluation's notify-evaluation job has completed. */
async function evaluationNotified(evaluationId: number): Promise<void> {
  await waitFor(`notify-evaluation of ${evaluationId}`, async () => {
    const { rows } = await env.h.pool.query(
      `SELECT 1 FROM pgboss.job WHERE name = 'notify-evaluation' AND (data->>'evaluationId')::int = $1
         AND state = 'completed'`,
      [evaluationId],
    );
    return rows.length > 0 ? true : undefined;
  });
}

/** Waits until every context has a pending state at the commit. */
async function pendingStatuses(
  forge: FakeForgeKind,
  sha: string,
  contexts: readonly string[],
): Promise<void> {
  await waitFor(`pending ${contexts.join(', ')} at ${sha}`, () => {
    const seen = new Set(
      statusesAt(forge, sha)
        .filter((s) => s.state === 'pending')
        .map((s) => s.context),
    );
    return contexts.every((c) => seen.has(c)) ? true : undefined;
  });
}

const FORGES = ['github', 'gitea'] as const;
const contexts = (p: ForgeProject, n: number) => [
  `fc:${p.name}:pr-${n}:hello`,
  `fc:${p.name}:pr-${n}:check`,
  `fc:${p.name}:pr-${n}`,
];
const authorization = (forge: FakeForgeKind) => (forge === 'github' ? 'Bearer gh-token' : 'token gt-token');

beforeAll(async () => {
  env = await startPullRequestEnv();
  for (const forge of FORGES) projects.set(forge, await createProject(forge));
  env.startEvaluator();
}, 60_000);

afterAll(async () => {
  await env?.stop();
}, 60_000);

describe('pull request statuses', () => {
  it('posts pending and then final statuses of each job and of the evaluation at the head of a same-repository and a fork pull request, in the base repository, on GitHub and Gitea', async () => {
    // A queue runner whose Nix builds nothing (max-jobs = 0): the builds stay queued while its
    // notification consumers post the pending statuses.
    const held = env.startBuilder({
      NIX_CONFIG: 'max-jobs = 0',
      FC_QUEUE_RUNNER__UNSUPPORTED_TIMEOUT: '3600',
    });
    const heads = new Map<FakeForgeKind, { own: string; forked: string }>();
    for (const forge of FORGES) {
      const p = projects.get(forge)!;
      const own = commitOn(p.repo, 'change-1', { message: 'from the project' });
      const forked = commitOn(p.fork, 'change-2', { message: 'from a fork, and it should fail' });
      await send(p, 'opened', pullRequest(p, 1, false, own));
      await send(p, 'opened', pullRequest(p, 2, true, forked));
      heads.set(forge, { own, forked });
    }
    for (const forge of FORGES) {
      const p = projects.get(forge)!;
      const { own, forked } = heads.get(forge)!;
      await pendingStatuses(forge, own, contexts(p, 1));
      await pendingStatuses(forge, forked, contexts(p, 2));
      const hello = await buildIdOf(p.id, 'pr-1', 'hello', own);
      expect(statusesAt(forge, own).find((s) => s.context === `fc:${p.name}:pr-1:hello`)).toMatchObject({
        state: 'pending',
        description: `Build ${hello.build} queued`,
        target_url: `${BASE_URL}/build/${hello.build}`,
      });
      expect(statusesAt(forge, own).find((s) => s.context === `fc:${p.name}:pr-1`)).toMatchObject({
        state: 'pending',
        description: `Evaluation ${hello.evaluation}: 0 of 2 builds finished`,
        target_url: `${BASE_URL}/eval/${hello.evaluation}`,
      });
    }
    await held.stop();
    env.startBuilder();

    for (const forge of FORGES) {
      const p = projects.get(forge)!;
      const { own, forked } = heads.get(forge)!;
      const ownFinal = await finalStatuses(forge, own, contexts(p, 1));
      const forkFinal = await finalStatuses(forge, forked, contexts(p, 2));
      // Every status went to the base repository (acme/app), never to the fork, with FC's token.
      for (const s of [...statusesAt(forge, own), ...statusesAt(forge, forked)]) {
        expect({ owner: s.owner, repo: s.repo, authorization: s.authorization }).toEqual({
          owner: 'acme',
          repo: 'app',
          authorization: authorization(forge),
        });
      }
      const hello = await buildIdOf(p.id, 'pr-1', 'hello', own);
      expect(ownFinal.get(`fc:${p.name}:pr-1:hello`)).toMatchObject({
        state: 'success',
        description: `Build ${hello.build} succeeded`,
        target_url: `${BASE_URL}/build/${hello.build}`,
      });
      expect(ownFinal.get(`fc:${p.name}:pr-1`)).toMatchObject({
        state: 'success',
        description: `Evaluation ${hello.evaluation}: all 2 builds succeeded`,
        target_url: `${BASE_URL}/eval/${hello.evaluation}`,
      });
      expect(forkFinal.get(`fc:${p.name}:pr-2:hello`)?.state).toBe('success');
      expect(forkFinal.get(`fc:${p.name}:pr-2:check`)?.state).toBe('failure');
      expect(forkFinal.get(`fc:${p.name}:pr-2`)).toMatchObject({
        state: 'failure',
        description: expect.stringMatching(/^Evaluation \d+: 1 of 2 builds failed$/),
      });
      // Never a pending after the final state.
      for (const [sha, n] of [
        [own, 1],
        [forked, 2],
      ] as const) {
        for (const context of contexts(p, n)) {
          const states = statesOf(forge, sha, context);
          expect(states[0]).toBe('pending');
          expect(states.slice(states.findIndex((x) => x !== 'pending'))).not.toContain('pending');
        }
      }
    }
  }, 300_000);
});

describe.each(FORGES)('pull request statuses on %s', (forge) => {
  const synchronize = forge === 'github' ? 'synchronize' : 'synchronized';

  it('follows pull_request_statuses: per-job statuses only, then the summary only; reused builds report at the new head', async () => {
    const p = projects.get(forge)!;
    const jobsOnly = await env.h.call('PATCH', `/api/v1/projects/${p.id}`, {
      key: env.admin,
      body: { pull_request_statuses: 'jobs' },
    });
    expect(((await jobsOnly.json()) as { pull_request_statuses: string }).pull_request_statuses).toBe('jobs');
    // A new head that changes nothing the jobs build: its evaluation reuses both builds, and their
    // statuses are posted at the new head all the same.
    const readme = commitOn(p.repo, 'change-1', { README: 'words only' });
    await send(p, synchronize, pullRequest(p, 1, false, readme));
    const reused = await finalStatuses(forge, readme, [`fc:${p.name}:pr-1:hello`, `fc:${p.name}:pr-1:check`]);
    expect(reused.get(`fc:${p.name}:pr-1:hello`)?.state).toBe('success');
    const { evaluation } = await buildIdOf(p.id, 'pr-1', 'hello', readme);
    const { rows } = await env.h.pool.query('SELECT nr_new_builds FROM evaluations WHERE id = $1', [
      evaluation,
    ]);
    expect(rows[0]).toEqual({ nr_new_builds: 0 });
    await evaluationNotified(evaluation);
    expect(statesOf(forge, readme, `fc:${p.name}:pr-1`)).toEqual([]);

    await env.h.call('PATCH', `/api/v1/projects/${p.id}`, {
      key: env.admin,
      body: { pull_request_statuses: 'summary' },
    });
    const next = commitOn(p.repo, 'change-1', { message: 'a new message' });
    await send(p, synchronize, pullRequest(p, 1, false, next));
    const summary = await finalStatuses(forge, next, [`fc:${p.name}:pr-1`]);
    expect(summary.get(`fc:${p.name}:pr-1`)?.state).toBe('success');
    // The builds' own notify-build jobs have run too (both finished and reported): no per-job status.
    const built = await buildIdOf(p.id, 'pr-1', 'check', next);
    await waitFor('the finished builds’ notify-build jobs', async () => {
      const { rows: done } = await env.h.pool.query(
        `SELECT count(*)::int AS n FROM pgboss.job j JOIN builds b ON b.id = (j.data->>'buildId')::bigint
         WHERE j.name = 'notify-build' AND j.data->>'event' = 'finished' AND j.state = 'completed'
           AND b.evaluation_id = $1`,
        [built.evaluation],
      );
      return done[0].n === 2 ? true : undefined;
    });
    expect(statusesAt(forge, next).map((s) => s.context)).toEqual(
      expect.arrayContaining([`fc:${p.name}:pr-1`]),
    );
    expect(statusesAt(forge, next).filter((s) => s.context !== `fc:${p.name}:pr-1`)).toEqual([]);
  }, 300_000);
});
