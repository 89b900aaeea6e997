// The comment command: a trusted user approves an untrusted author's pull request by commenting
// `/fc approve` (or `@fc approve`) on it, on a line of its own. Pure decisions over the comment and
// what FC knows of the commenter.

/** A comment on a pull request, as GitHub's and Gitea's issue_comment webhooks describe it. */
export interface PullRequestComment {
  /** created, edited, deleted */
  readonly action: string;
  readonly number: number;
  /** false for a comment on an issue that is no pull request. */
  readonly isPullRequest: boolean;
  readonly body: string;
  readonly commenter: string;
  /** The base repository's "owner/name" on the forge; null when the payload lacks it. */
  readonly baseRepository: string | null;
}

const COMMAND = /^\s*[/@]fc\s+approve\s*$/im;

/** Whether the comment's body holds the approval command on a line of its own. */
export function isApprovalCommand(body: string): boolean {
  return COMMAND.test(body);
}

export type CommentAction =
  { readonly kind: 'approve' } | { readonly kind: 'ignore'; readonly reason: string };

/** Which comments are commands at all (before the commenter's trust is asked). */
export function commentCommand(c: PullRequestComment): CommentAction {
  if (c.action !== 'created') return { kind: 'ignore', reason: `a comment ${c.action}, not created` };
  if (!c.isPullRequest) return { kind: 'ignore', reason: `#${c.number} is an issue, not a pull request` };
  if (!isApprovalCommand(c.body)) return { kind: 'ignore', reason: 'the comment holds no FC command' };
  return { kind: 'approve' };
}
