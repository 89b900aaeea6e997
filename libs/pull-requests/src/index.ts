// Pull requests: one jobset per open pull request of a project that builds them, whether the forge
// told FC by webhook (fc-server) or FC found it in the forge's list (fc-evaluator's scheduler).
export {
  PullRequestService,
  pullRequestJobsetName,
  type PullRequestOutcome,
  type ReceiveOptions,
  type ReconcileResult,
} from './pull-request.service';
export {
  decidePullRequest,
  isTrustedPullRequest,
  type PullRequestAction,
  type PullRequestFacts,
} from './pull-request-decision';
export type { PullRequestEvent } from './pull-request-event';
export { removeRetiredPullRequestJobsets, retiredJobsetIsDue } from './retired-jobset';
export { reconcilePullRequests, type ReconcileStep } from './pull-request-reconcile';
export {
  forgeAuthorWriteAccess,
  writeAccessRepository,
  type AuthorWriteAccess,
  type WriteAccessScope,
  type WriteAccessAnswer,
} from './author-write-access';
export {
  commentCommand,
  isApprovalCommand,
  type CommentAction,
  type PullRequestComment,
} from './pull-request-comment';
