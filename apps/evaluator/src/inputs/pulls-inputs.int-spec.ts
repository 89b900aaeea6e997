// Hydra's githubpulls and giteapulls inputs through the built daemons, against local servers playing
// GitHub's and Gitea's APIs (and hosting the pull requests' repositories over git's smart HTTP): the
// input is a file with the JSON of the open pull requests keyed by number, as Hydra's plugins write
// it; an expression reading it gets a job per pull request, built with real Nix; the same pull
// requests give an unchanged evaluation, a new one a new build. A declarative generator written for
// Hydra makes a jobset per pull request from it, each built at its head. A forge's 404 fails the
// evaluation with what was asked.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureJobsetsJobset, insertProject } from '@fc/db';
import { requestEvaluation } from '@fc/queue';
import { startFakeForge, type FakeForge } from '@fc/testing';
import {
  commitFiles,
  createJobset,
  gitRepo,
  startEvaluatorTestEnv,
  tempDir,
  waitFor,
  type EvaluatorTestEnv,
} from '../evaluation-fixtures';

const GITHUB_TOKEN = 'pulls-github-token';
const GITEA_TOKEN = 'pulls-gitea-token';
const salt = randomUUID();
let env: EvaluatorTestEnv;
let runnerDir: string;
let github: FakeForge;
let gitea: FakeForge;
/** A Gitea an editor runs: FC holds no token for it. */
let elsewhere: FakeForge;

/** A job per open pull request, named pr-<number>, whose output names the head and the author. */
const RELEASE_NIX = `{ pulls, ... }:
let prs = builtins.fromJSON (builtins.readFile pulls);
in builtins.listToAttrs (map (n: {
  name = "pr-\${n}";
  value = derivation {
    name = "pull-\${n}-${salt}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo \${prs.\${n}.head.sha} \${prs.\${n}.user.login} > $out" ];
  };
}) (builtins.attrNames prs))
`;

interface Evaluation {
  id: number;
  status: string;
  error: string | null;
  input_revisions: Record<string, Record<string, unknown>>;
}

async function evaluate(jobsetId: number): Promise<Evaluation> {
  const done = async () =>
    (
      await env.db.pool.query<Evaluation>(
        'SELECT id, status, error, input_revisions FROM evaluations WHERE jobset_id = $1 AND finished_at IS NOT NULL ORDER BY id',
        [jobsetId],
      )
    ).rows;
  const before = (await done()).length;
  await requestEvaluation(env.db.pool, env.boss, { jobsetId, force: false, reason: 'api' });
  return waitFor(
    `evaluation ${before + 1} of jobset ${jobsetId}`,
    async () => (await done())[before],
    90_000,
  );
}

/** The jobset's builds by job, once all are finished. */
async function builtJobs(jobsetId: number, count: number): Promise<Record<string, number>> {
  return waitFor(
    `${count} builds of jobset ${jobsetId}`,
    async () => {
      const { rows } = await env.db.pool.query<{
        job: string;
        build_status: number | null;
        finished: boolean;
      }>('SELECT job, build_status, finished FROM builds WHERE jobset_id = $1 ORDER BY job', [jobsetId]);
      if (rows.length !== count || rows.some((r) => !r.finished)) return undefined;
      return Object.fromEntries(rows.map((r) => [r.job, r.build_status!]));
    },
    120_000,
  );
}

function openPullRequest(forge: FakeForge, number: number, author: string, files: Record<string, string>) {
  const branch = `topic-${number}`;
  const sha = forge.commit('acme/app', branch, files);
  forge.openPullRequest('acme/app', {
    number,
    author,
    headRepository: 'acme/app',
    headBranch: branch,
    headSha: sha,
  });
  return sha;
}

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-pulls-inputs-');
  runnerDir = tempDir('fc-pulls-inputs-runner-');
  mkdirSync(runnerDir, { recursive: true });
  github = await startFakeForge({
    kind: 'github',
    token: GITHUB_TOKEN,
    pageSize: 2,
    // victim's repositories are private, with a token FC does not hold; someone's are public.
    ownerTokens: { victim: 'victim-token' },
    publicOwners: ['someone'],
  });
  github.createRepository('victim/private', { 'release.nix': RELEASE_NIX });
  github.createRepository('someone/public', { 'release.nix': RELEASE_NIX });
  gitea = await startFakeForge({ kind: 'gitea', token: GITEA_TOKEN, pageSize: 2, host: 'localhost' });
  elsewhere = await startFakeForge({ kind: 'gitea', token: 'unknown-to-fc' });
  for (const forge of [github, gitea, elsewhere]) {
    forge.createRepository('acme/app', { 'release.nix': RELEASE_NIX });
  }
  void env.startDaemon('evaluator', {
    FC_EVALUATOR__POLL_INTERVAL: '1',
    FC_EVALUATOR__WORK_DIR: env.workDir,
    FC_EVALUATOR__PULL_REQUEST_POLL_INTERVAL: '0',
    FC_NOTIFICATIONS__GITHUB_API_URL: github.configUrl,
    FC_NOTIFICATIONS__GITHUB_TOKEN: GITHUB_TOKEN,
    FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme',
    FC_NOTIFICATIONS__GITEA_URL: gitea.configUrl,
    FC_NOTIFICATIONS__GITEA_TOKEN: GITEA_TOKEN,
    FC_NOTIFICATIONS__GITEA_TOKEN_OWNERS: 'acme',
  });
  void env.startDaemon('builder', {
    FC_LOGS__LOG_DIR: join(runnerDir, 'logs'),
    FC_GC__GC_ROOTS_DIR: join(runnerDir, 'gc-roots'),
    FC_QUEUE_RUNNER__WORK_DIR: join(runnerDir, 'work'),
    FC_QUEUE_RUNNER__WORKERS: '2',
    FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
  });
}, 60_000);

afterAll(async () => {
  await env.stop();
  await github?.close();
  await gitea?.close();
  await elsewhere?.close();
  rmSync(runnerDir, { recursive: true, force: true });
}, 60_000);

describe('githubpulls and giteapulls inputs', () => {
  it('githubpulls: a job per open pull request; the same list is unchanged, a new pull request one more build', async () => {
    const shas = [1, 2, 3].map((n) => openPullRequest(github, n, `user${n}`, { change: `github ${n}` }));
    const closed = openPullRequest(github, 4, 'user4', { change: 'closed' });
    github.closePullRequest('acme/app', 4);
    const project = gitRepo({ 'release.nix': RELEASE_NIX });
    const { jobsetId } = await createJobset(env.db.pool, {
      repositoryUrl: `file://${project}`,
      inputs: [{ name: 'pulls', type: 'githubpulls', value: 'acme app' }],
    });

    const first = await evaluate(jobsetId);
    expect(first.status).toBe('succeeded');
    expect(first.input_revisions['pulls']).toMatchObject({
      type: 'githubpulls',
      value: 'acme app',
      pullRequests: 3,
    });
    expect(await builtJobs(jobsetId, 3)).toEqual({ 'pr-1': 0, 'pr-2': 0, 'pr-3': 0 });
    // Each build's output names its pull request's head and author: the objects are GitHub's.
    const { rows } = await env.db.pool.query<{ job: string; path: string }>(
      `SELECT b.job, o.path FROM builds b JOIN build_outputs o ON o.build_id = b.id WHERE b.jobset_id = $1 ORDER BY b.job`,
      [jobsetId],
    );
    expect(rows.map((r) => readFileSync(r.path, 'utf8').trim())).toEqual(
      shas.map((s, i) => `${s} user${i + 1}`),
    );
    expect(rows.map((r) => r.path).join()).not.toContain(closed);
    // Every page, with FC's token.
    const asked = github.requests.filter((r) => r.path.startsWith('/api/v3/repos/acme/app/pulls'));
    expect(asked.map((r) => r.path)).toEqual([
      '/api/v3/repos/acme/app/pulls?state=open&per_page=100',
      '/api/v3/repos/acme/app/pulls?state=open&per_page=100&page=2',
    ]);
    expect(asked.every((r) => r.authorization === `Bearer ${GITHUB_TOKEN}`)).toBe(true);

    expect((await evaluate(jobsetId)).status).toBe('unchanged');

    openPullRequest(github, 5, 'user5', { change: 'github 5' });
    const third = await evaluate(jobsetId);
    expect(third.status).toBe('succeeded');
    expect(third.input_revisions['pulls']).toMatchObject({ pullRequests: 4 });
    expect(await builtJobs(jobsetId, 4)).toEqual({ 'pr-1': 0, 'pr-2': 0, 'pr-3': 0, 'pr-5': 0 });
  }, 300_000);

  it("giteapulls: Hydra's HOST OWNER REPO PROTOCOL, with the token of the configured Gitea", async () => {
    openPullRequest(gitea, 7, 'dora', { change: 'gitea 7' });
    const host = new URL(gitea.url).host;
    const { jobsetId } = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({ 'release.nix': RELEASE_NIX })}`,
      inputs: [{ name: 'pulls', type: 'giteapulls', value: `${host} acme app http` }],
    });
    const evaluation = await evaluate(jobsetId);
    expect(evaluation.status).toBe('succeeded');
    expect(await builtJobs(jobsetId, 1)).toEqual({ 'pr-7': 0 });
    const asked = gitea.requests.filter((r) => r.path.startsWith('/api/v1/repos/acme/app/pulls'));
    expect(asked[0]).toMatchObject({
      path: '/api/v1/repos/acme/app/pulls?state=open&page=1&limit=50',
      authorization: `token ${GITEA_TOKEN}`,
    });
  }, 300_000);

  it("a forge's refusal fails the evaluation, saying what was asked and why", async () => {
    const { jobsetId } = await createJobset(env.db.pool, {
      repositoryUrl: `file://${gitRepo({ 'release.nix': RELEASE_NIX })}`,
      inputs: [{ name: 'pulls', type: 'githubpulls', value: 'acme missing' }],
    });
    const failed = await evaluate(jobsetId);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe(
      `input pulls: the open pull requests of acme/missing could not be read: GET ${github.url}/api/v3/repos/acme/missing/pulls answered 404: no such repository, or the github token of acme cannot see it: {"message":"Not Found"}`,
    );
  }, 120_000);

  it("sends a token only for the owners it is configured for: another owner's repository, or another Gitea, is asked without one", async () => {
    const jobsetWith = async (type: 'githubpulls' | 'giteapulls', value: string) =>
      (
        await createJobset(env.db.pool, {
          repositoryUrl: `file://${gitRepo({ 'release.nix': RELEASE_NIX })}`,
          inputs: [{ name: 'pulls', type, value }],
        })
      ).jobsetId;
    const authorizations = (forge: FakeForge, prefix: string) =>
      forge.requests.filter((r) => r.path.startsWith(prefix)).map((r) => r.authorization);

    // Another owner's private repository: FC's token would read it; without one it is not found.
    const hidden = await evaluate(await jobsetWith('githubpulls', 'victim private'));
    expect(hidden.status).toBe('failed');
    expect(hidden.error).toContain(
      'no such repository, or it is private and no github token is configured for victim',
    );
    // A public one is read anonymously.
    expect((await evaluate(await jobsetWith('githubpulls', 'someone public'))).status).toBe('succeeded');
    // Another owner on the configured Gitea, and the same owner on a Gitea an editor names.
    const giteaHost = new URL(gitea.url).host;
    await evaluate(await jobsetWith('giteapulls', `${giteaHost} victim private http`));
    await evaluate(await jobsetWith('giteapulls', `${new URL(elsewhere.url).host} acme app http`));

    expect(authorizations(github, '/api/v3/repos/victim/')).toEqual([undefined]);
    expect(authorizations(github, '/api/v3/repos/someone/')).toEqual([undefined]);
    expect(authorizations(gitea, '/api/v1/repos/victim/')).toEqual([undefined]);
    expect(authorizations(elsewhere, '/api/v1/')).toEqual([undefined]);
  }, 180_000);

  it('a declarative generator written for Hydra makes a jobset per pull request, each built at its head', async () => {
    // Hydra's way: spec.json gives .jobsets a githubpulls input; the generator maps each pull request
    // to a jobset whose git input is the pull request's head repository and branch.
    const heads: Record<number, string> = {};
    const generator = `{ pulls, ... }:
let
  prs = builtins.fromJSON (builtins.readFile pulls);
  jobset = n: pr: {
    enabled = 1; hidden = false; description = "PR \${n}: \${pr.title}";
    nixexprinput = "src"; nixexprpath = "job.nix";
    checkinterval = 1; schedulingshares = 1; keepnr = 1; enableemail = false; emailoverride = "";
    inputs.src = { type = "git"; value = "\${pr.head.repo.clone_url} \${pr.head.ref}"; emailresponsible = false; };
  };
in {
  jobsets = derivation {
    name = "jobsets";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "printf '%s' \\"$spec\\" > $out" ];
    spec = builtins.toJSON (builtins.listToAttrs
      (map (n: { name = "pr-\${n}"; value = jobset n prs.\${n}; }) (builtins.attrNames prs)));
  };
}
`;
    const job = `{ ... }: { head = derivation {
  name = "head-${salt}"; system = builtins.currentSystem; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
  args = [ "-c" "cat \${./change} > $out" ]; }; }`;
    // Each pull request's head holds job.nix (the generated jobsets' expression).
    for (const [n, author] of [
      [1, 'user1'],
      [2, 'user2'],
      [3, 'user3'],
      [5, 'user5'],
      [8, 'erin'],
    ] as const) {
      heads[n] = github.commit('acme/app', `topic-${n}`, { 'job.nix': job, change: `head of ${n}` });
      github.openPullRequest('acme/app', {
        number: n,
        author,
        headRepository: 'acme/app',
        headBranch: `topic-${n}`,
        headSha: heads[n],
      });
    }
    const repo = gitRepo({ 'generator.nix': generator });
    commitFiles(repo, {
      'spec.json': JSON.stringify({
        enabled: 1,
        hidden: true,
        description: 'pull requests',
        nixexprinput: 'gen',
        nixexprpath: 'generator.nix',
        checkinterval: 1,
        schedulingshares: 1,
        keepnr: 1,
        enableemail: false,
        emailoverride: '',
        inputs: {
          gen: { type: 'git', value: `file://${repo} main`, emailresponsible: false },
          pulls: { type: 'githubpulls', value: 'acme app', emailresponsible: false },
        },
      }),
    });
    const project = await insertProject(env.db.pool, {
      name: 'hydra-style-prs',
      repositoryUrl: `file://${repo}`,
      declarativeFile: 'spec.json',
      declarativeType: 'git',
    });
    await ensureJobsetsJobset(env.db.pool, project.id, 'spec.json');

    const built = await waitFor(
      'the generated pr-8 jobset built at its head',
      async () => {
        const { rows } = await env.db.pool.query<{
          name: string;
          revision: string;
          build_status: number | null;
        }>(
          `SELECT j.name, e.revision, b.build_status FROM jobsets j
           JOIN evaluations e ON e.jobset_id = j.id JOIN builds b ON b.evaluation_id = e.id
           WHERE j.project_id = $1 AND j.name = 'pr-8' AND b.finished`,
          [project.id],
        );
        return rows[0];
      },
      180_000,
    );
    expect(built).toMatchObject({ build_status: 0 });
    const { rows: jobsets } = await env.db.pool.query<{ name: string; description: string }>(
      `SELECT name, description FROM jobsets WHERE project_id = $1 AND name LIKE 'pr-%' ORDER BY name`,
      [project.id],
    );
    expect(jobsets.map((j) => j.name)).toEqual(['pr-1', 'pr-2', 'pr-3', 'pr-5', 'pr-8']);
    expect(jobsets.find((j) => j.name === 'pr-8')?.description).toBe('PR 8: change #8');
    const { rows: inputs } = await env.db.pool.query<{ input_revisions: Record<string, { rev?: string }> }>(
      `SELECT e.input_revisions FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id
       WHERE j.project_id = $1 AND j.name = 'pr-8' AND e.status = 'succeeded'`,
      [project.id],
    );
    expect(inputs[0]!.input_revisions['src']!.rev).toBe(heads[8]);
  }, 300_000);
});
