// A pull request as a forge describes it: in a pull_request webhook, or in its list of open pull
// requests (GitHub's and Gitea's/Forgejo's objects have the same fields).

export interface PullRequestEvent {
  /** The webhook's action (GitHub: synchronize; Gitea: synchronized). */
  readonly action: string;
  readonly number: number;
  readonly title: string | null;
  readonly author: string;
  /** The repository the pull request's commits live in (a fork's, or the project's). */
  readonly headRepositoryUrl: string;
  readonly headBranch: string;
  readonly headSha: string;
  /** The base repository as the forge names it ("owner/name"), where statuses go; null/absent: unknown. */
  readonly baseRepository?: string | null;
  /** Closed by a merge (GitHub and Gitea: 'closed' with merged: true). */
  readonly merged?: boolean;
}
