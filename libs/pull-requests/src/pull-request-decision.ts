// What a forge's pull_request event does to the pull request's jobset: a pure decision over the
// event's action and what FC knows (the project's settings, the author's trust, an approval).
import { sameRepository } from '@fc/core';

export type PullRequestAction =
  /** Create or update the jobset pr-<number> from the template at the head, and evaluate it. */
  | { readonly kind: 'build' }
  /** Record the pull request; nothing is evaluated until someone approves it. */
  | { readonly kind: 'await-approval' }
  /** Disable and hide the jobset. */
  | { readonly kind: 'retire' }
  | { readonly kind: 'ignore'; readonly reason: string };

export interface PullRequestFacts {
  /** The payload's action (GitHub: synchronize; Gitea: synchronized). */
  readonly action: string;
  readonly buildPullRequests: boolean;
  readonly trusted: boolean;
  readonly approved: boolean;
  readonly hasJobset: boolean;
}

const NEW_HEAD = new Set(['opened', 'reopened', 'synchronize', 'synchronized']);

export function decidePullRequest(f: PullRequestFacts): PullRequestAction {
  if (f.action === 'closed') {
    return f.hasJobset ? { kind: 'retire' } : { kind: 'ignore', reason: 'closed before it had a jobset' };
  }
  if (!NEW_HEAD.has(f.action)) {
    return { kind: 'ignore', reason: `the action '${f.action}' changes nothing FC builds` };
  }
  if (!f.buildPullRequests) {
    return {
      kind: 'ignore',
      reason: 'the project does not build pull requests (build_pull_requests is off)',
    };
  }
  if (!f.trusted && !f.approved) return { kind: 'await-approval' };
  return { kind: 'build' };
}

/** Trusted: the head is the project's own repository, or the author is on the project's list. */
export function isTrustedPullRequest(
  pr: { readonly headRepositoryUrl: string; readonly author: string },
  project: { readonly repositoryUrl: string; readonly trustedUsers: readonly string[] },
): boolean {
  if (sameRepository(pr.headRepositoryUrl, project.repositoryUrl)) return true;
  const author = pr.author.toLowerCase();
  return project.trustedUsers.some((u) => u.toLowerCase() === author);
}
