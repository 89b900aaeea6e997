// Pull requests: one jobset per open pull request of a project that builds them, whether the forge
// told FC by webhook (fc-server) or FC found it in the forge's list (fc-evaluator's scheduler).
export { PullRequestService, pullRequestJobsetName, type PullRequestOutcome } from './pull-request.service';
export {
  decidePullRequest,
  isTrustedPullRequest,
  type PullRequestAction,
  type PullRequestFacts,
} from './pull-request-decision';
export type { PullRequestEvent } from './pull-request-event';
export { removeRetiredPullRequestJobsets, retiredJobsetIsDue } from './retired-jobset';
