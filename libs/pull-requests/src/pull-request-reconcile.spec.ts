import { describe, expect, it } from '@jest/globals';
import type { PullRequestRow } from '@fc/db';
import type { ForgePullRequest } from '@fc/forges';
import { reconcilePullRequests } from './pull-request-reconcile';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function listed(number: number, sha = A, over: Partial<ForgePullRequest> = {}): ForgePullRequest {
  return {
    number,
    title: `#${number}`,
    author: 'bob',
    headRepositoryUrl: 'https://github.com/acme/app.git',
    headBranch: `topic-${number}`,
    headSha: sha,
    baseRepository: 'acme/app',
    ...over,
  };
}

function row(number: number, over: Partial<PullRequestRow> = {}): PullRequestRow {
  return {
    projectId: 1,
    number,
    forge: 'github',
    author: 'bob',
    title: `#${number}`,
    headRepositoryUrl: 'https://github.com/acme/app.git',
    headBranch: `topic-${number}`,
    headSha: A,
    state: 'open',
    approvedAt: null,
    authorMayWrite: null,
    jobsetId: 10 + number,
    updatedAt: new Date(0),
    baseRepository: 'acme/app',
    closedAt: null,
    merged: false,
    ...over,
  };
}

const actions = (steps: ReturnType<typeof reconcilePullRequests>) =>
  steps.map((s) => (s.kind === 'receive' ? `${s.event.action} #${s.event.number}` : `skip #${s.number}`));

describe('reconcilePullRequests', () => {
  it('opens what FC never heard of and closes what the forge no longer lists', () => {
    expect(actions(reconcilePullRequests([listed(5)], [row(4)]))).toEqual(['opened #5', 'closed #4']);
  });

  it('moves a head that changed, and reopens one FC saw closed', () => {
    expect(
      actions(
        reconcilePullRequests(
          [listed(1, B), listed(2), listed(3, A, { headBranch: 'renamed' })],
          [row(1), row(2, { state: 'closed' }), row(3)],
        ),
      ),
    ).toEqual(['synchronize #1', 'reopened #2', 'synchronize #3']);
  });

  it('leaves alone an open pull request at its head with a jobset, and a closed one that stays closed', () => {
    expect(reconcilePullRequests([listed(1)], [row(1), row(2, { state: 'closed' })])).toEqual([]);
  });

  it('receives again one at its head without a jobset (it may be buildable now)', () => {
    expect(actions(reconcilePullRequests([listed(1)], [row(1, { jobsetId: null })]))).toEqual([
      'synchronize #1',
    ]);
  });

  it('skips a pull request whose fork was deleted, and a number listed twice (pages that shifted)', () => {
    const steps = reconcilePullRequests(
      [listed(7, A, { headRepositoryUrl: null }), listed(8), listed(8)],
      [],
    );
    expect(actions(steps)).toEqual(['skip #7', 'opened #8']);
    expect(steps[0]).toMatchObject({ reason: expect.stringContaining('deleted') });
  });

  it("gives each event the base repository the forge names in the pull request, else the list's", () => {
    const steps = reconcilePullRequests(
      [listed(1, A, { baseRepository: 'acme/renamed' }), listed(2, A, { baseRepository: null })],
      [row(3, { baseRepository: 'acme/earlier' }), row(4, { baseRepository: null })],
      'acme/app',
    );
    expect(steps.map((s) => (s.kind === 'receive' ? [s.event.number, s.event.baseRepository] : []))).toEqual([
      [1, 'acme/renamed'],
      [2, 'acme/app'],
      [3, 'acme/earlier'],
      [4, 'acme/app'],
    ]);
  });

  it("closes with FC's last view of the pull request", () => {
    const [step] = reconcilePullRequests([], [row(4, { headSha: B, author: 'carol' })], 'acme/app');
    expect(step).toEqual({
      kind: 'receive',
      event: {
        action: 'closed',
        baseRepository: 'acme/app',
        number: 4,
        title: '#4',
        author: 'carol',
        headRepositoryUrl: 'https://github.com/acme/app.git',
        headBranch: 'topic-4',
        headSha: B,
      },
    });
  });
});
