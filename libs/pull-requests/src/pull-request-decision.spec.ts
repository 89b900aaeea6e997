import { describe, expect, it } from '@jest/globals';
import { decidePullRequest, isTrustedPullRequest } from './pull-request-decision';

const base = { action: 'opened', buildPullRequests: true, trusted: true, approved: false, hasJobset: false };

describe('decidePullRequest', () => {
  it('builds a trusted pull request on open, reopen and each new head (GitHub and Gitea names)', () => {
    for (const action of ['opened', 'reopened', 'synchronize', 'synchronized']) {
      expect(decidePullRequest({ ...base, action })).toEqual({ kind: 'build' });
    }
  });

  it('holds an untrusted pull request until it is approved, then builds each new head', () => {
    expect(decidePullRequest({ ...base, trusted: false })).toEqual({ kind: 'await-approval' });
    expect(decidePullRequest({ ...base, trusted: false, approved: true, action: 'synchronize' })).toEqual({
      kind: 'build',
    });
  });

  it('retires the jobset on close (merged or not), whatever the setting', () => {
    expect(
      decidePullRequest({ ...base, action: 'closed', hasJobset: true, buildPullRequests: false }),
    ).toEqual({
      kind: 'retire',
    });
    expect(decidePullRequest({ ...base, action: 'closed' })).toMatchObject({ kind: 'ignore' });
  });

  it('ignores pull requests while the project does not build them, and actions that change no head', () => {
    expect(decidePullRequest({ ...base, buildPullRequests: false })).toEqual({
      kind: 'ignore',
      reason: 'the project does not build pull requests (build_pull_requests is off)',
    });
    expect(decidePullRequest({ ...base, action: 'labeled' })).toEqual({
      kind: 'ignore',
      reason: "the action 'labeled' changes nothing FC builds",
    });
  });
});

describe('isTrustedPullRequest', () => {
  const project = { repositoryUrl: 'https://github.com/Acme/app', trustedUsers: ['Alice'] };

  it("trusts the project's own repository, however its URL is written", () => {
    expect(
      isTrustedPullRequest({ headRepositoryUrl: 'git@github.com:acme/app.git', author: 'x' }, project),
    ).toBe(true);
    expect(
      isTrustedPullRequest(
        { headRepositoryUrl: 'file:///srv/app.git', author: 'x' },
        { repositoryUrl: 'file:///srv/app', trustedUsers: [] },
      ),
    ).toBe(true);
  });

  it('trusts a fork only when its author is on the list (logins compared without case)', () => {
    const fork = 'https://github.com/mallory/app.git';
    expect(isTrustedPullRequest({ headRepositoryUrl: fork, author: 'alice' }, project)).toBe(true);
    expect(isTrustedPullRequest({ headRepositoryUrl: fork, author: 'mallory' }, project)).toBe(false);
  });
});
