// A pull request's evaluation summary status, posted at its head commits. A pending summary must not
// land after the final one: once posted, the evaluation is read again, and if it is complete by then
// the final summary is posted too (the last build's finish posts it as well).
import { evaluationProgress, type Pool, type PullRequestStatusScope } from '@fc/db';
import type { Logger } from '@fc/logging';
import { evaluationSummaryBody, pullRequestStatusTargets } from './pull-request-status';
import { postCommitStatuses, type StatusPostResult, type StatusPoster } from './post-commit-statuses';

export async function postEvaluationSummary(
  pool: Pool,
  poster: StatusPoster & { readonly baseUrl: string | undefined },
  pullRequest: PullRequestStatusScope,
  evaluationId: number,
  /** Only a final summary (a build's finish: the pending one was posted when the evaluation ended). */
  onlyFinal: boolean,
  result: StatusPostResult,
  log: Logger,
): Promise<void> {
  const progress = await evaluationProgress(pool, evaluationId);
  if (progress === undefined) return;
  const body = evaluationSummaryBody(progress, pullRequest, poster.baseUrl);
  if (body === undefined || (onlyFinal && body.state === 'pending')) return;
  const targets = pullRequestStatusTargets(pullRequest, [progress.inputRevisions], poster.forges);
  await postCommitStatuses(poster, targets, body, result, log);
  if (body.state !== 'pending') return;
  const now = await evaluationProgress(pool, evaluationId);
  const after = now && evaluationSummaryBody(now, pullRequest, poster.baseUrl);
  if (after !== undefined && after.state !== 'pending') {
    await postCommitStatuses(poster, targets, after, result, log);
  }
}
