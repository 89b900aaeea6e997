import { describe, expect, it } from '@jest/globals';
import {
  evaluationSummaryBody,
  pullRequestHeadRevisions,
  pullRequestStatusTargets,
} from './pull-request-status';

const HEAD = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const tokens = new Map([
  ['acme', 't'],
  ['org', 't'],
]);
const forges = {
  github: { apiUrl: 'http://127.0.0.1:9/github', tokens },
  gitea: { url: 'https://gitea.example.org', tokens },
};
const fork = {
  forge: 'github' as const,
  baseRepository: 'acme/app',
  projectRepositoryUrl: 'https://github.com/acme/app.git',
  headRepositoryUrl: 'https://github.com/mallory/app.git',
};

describe('pullRequestHeadRevisions', () => {
  it('takes the commits fetched from the head repository, whatever the input is called', () => {
    const revisions = {
      repository: { uri: 'https://github.com/mallory/app', rev: HEAD },
      nixpkgs: { uri: 'https://github.com/NixOS/nixpkgs', rev: OTHER },
      src: { uri: 'git@github.com:Mallory/app.git', rev: HEAD },
      flag: { type: 'boolean', value: 'true' },
    };
    expect(pullRequestHeadRevisions(revisions, fork.headRepositoryUrl)).toEqual([HEAD]);
  });
});

describe('pullRequestStatusTargets', () => {
  it("posts a fork's head commit to the base repository, on the pull request's forge", () => {
    const targets = pullRequestStatusTargets(
      fork,
      [{ repository: { uri: 'https://github.com/mallory/app', rev: HEAD } }],
      forges,
    );
    expect(targets).toEqual([
      { forge: 'github', owner: 'acme', repo: 'app', sha: HEAD, label: `127.0.0.1:9/acme/app@${HEAD}` },
    ]);
  });

  it('posts nothing when the forge is not configured', () => {
    const revisions = [{ repository: { uri: fork.headRepositoryUrl, rev: HEAD } }];
    expect(pullRequestStatusTargets(fork, revisions, { gitea: forges.gitea })).toEqual([]);
    expect(pullRequestStatusTargets({ ...fork, forge: 'gitea' }, revisions, forges)[0]).toMatchObject({
      forge: 'gitea',
      label: `gitea.example.org/acme/app@${HEAD}`,
    });
  });

  it("posts nothing when the base repository's owner has no token (another owner's is never sent)", () => {
    const revisions = [{ repository: { uri: fork.headRepositoryUrl, rev: HEAD } }];
    const elsewhere = { ...fork, baseRepository: 'victim/secret' };
    expect(pullRequestStatusTargets(elsewhere, revisions, forges)).toEqual([]);
    expect(
      pullRequestStatusTargets({ ...elsewhere, baseRepository: 'ACME/app' }, revisions, forges),
    ).toHaveLength(1);
  });

  it('falls back to the project repository when the forge did not name the base', () => {
    const revisions = [{ repository: { uri: fork.headRepositoryUrl, rev: HEAD } }];
    const unnamed = { ...fork, baseRepository: null, projectRepositoryUrl: 'git@host:org/proj.git' };
    expect(pullRequestStatusTargets(unnamed, revisions, forges)[0]).toMatchObject({
      owner: 'org',
      repo: 'proj',
    });
    const local = { ...fork, baseRepository: null, projectRepositoryUrl: 'file:///srv/x' };
    expect(pullRequestStatusTargets(local, revisions, forges)).toEqual([]);
  });
});

describe('evaluationSummaryBody', () => {
  const scope = { projectName: 'app', jobsetName: 'pr-7' };
  const e = { id: 12, status: 'succeeded' as const, builds: 3, finished: 1, succeeded: 1, jobErrors: 0 };

  it('is pending while a build is unfinished, then success or failure', () => {
    expect(evaluationSummaryBody(e, scope, 'https://ci.example.org/')).toEqual({
      state: 'pending',
      context: 'fc:app:pr-7',
      description: 'Evaluation 12: 1 of 3 builds finished',
      target_url: 'https://ci.example.org/eval/12',
    });
    expect(evaluationSummaryBody({ ...e, finished: 3, succeeded: 3 }, scope, undefined)).toEqual({
      state: 'success',
      context: 'fc:app:pr-7',
      description: 'Evaluation 12: all 3 builds succeeded',
    });
    expect(evaluationSummaryBody({ ...e, finished: 3, succeeded: 2 }, scope, undefined)).toMatchObject({
      state: 'failure',
      description: 'Evaluation 12: 1 of 3 builds failed',
    });
  });

  it('fails for jobs that did not evaluate and for a failed evaluation', () => {
    expect(
      evaluationSummaryBody({ ...e, finished: 3, succeeded: 3, jobErrors: 1 }, scope, undefined),
    ).toMatchObject({ state: 'failure', description: 'Evaluation 12: 1 job failed to evaluate' });
    expect(evaluationSummaryBody({ ...e, status: 'failed' }, scope, undefined)).toMatchObject({
      state: 'failure',
      description: 'Evaluation 12: the evaluation failed',
    });
    expect(evaluationSummaryBody({ ...e, status: 'running' }, scope, undefined)?.state).toBe('pending');
    expect(
      evaluationSummaryBody({ ...e, builds: 0, finished: 0, succeeded: 0 }, scope, undefined),
    ).toMatchObject({ state: 'success', description: 'Evaluation 12: nothing to build' });
    expect(evaluationSummaryBody({ ...e, status: 'unchanged' }, scope, undefined)).toBeUndefined();
  });
});
