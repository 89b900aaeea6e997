// One notify-evaluation job: a pull request's evaluation has ended (the evaluator publishes it in the
// transaction that records the outcome). At the pull request's head commits it posts the
// evaluation's summary status (pending while builds run, or already final), and, with per-job
// statuses, each build the evaluation reused from an earlier head (a new build reports itself when it
// is queued, started and finished). Transient failures fail the job, so pg-boss retries it.
import type { FcConfig } from '@fc/config';
import {
  evaluationProgress,
  findBuildDetail,
  pullRequestOfJobset,
  reusedBuildIdsOfEvaluation,
  type Pool,
} from '@fc/db';
import type { Logger } from '@fc/logging';
import type { JobPayload, QueueName } from '@fc/queue';
import { commitStatusBody } from './commit-status';
import { postEvaluationSummary } from './evaluation-summary';
import { forgeSettings } from './notification-channels';
import { TransientNotificationError } from './notify-build.handler';
import { emptyStatusPostResult, postCommitStatuses, type StatusPostResult } from './post-commit-statuses';
import { pullRequestStatusTargets, wantsJobStatuses, wantsSummaryStatus } from './pull-request-status';

export interface NotifyEvaluationDeps {
  readonly pool: Pool;
  readonly logger: Logger;
  readonly config: Pick<FcConfig, 'notifications' | 'server'>;
  readonly onDelivery?: (kind: string, result: 'delivered' | 'failed' | 'retrying') => void;
}

export interface NotifyEvaluationJob {
  readonly id: string;
  readonly data: JobPayload<typeof QueueName.NotifyEvaluation>;
}

export async function notifyEvaluation(
  deps: NotifyEvaluationDeps,
  job: NotifyEvaluationJob,
): Promise<StatusPostResult> {
  const { evaluationId } = job.data;
  const log = deps.logger.child({ component: 'notify-evaluation', jobId: job.id, evaluationId });
  const result = emptyStatusPostResult();
  const forges = forgeSettings(deps.config.notifications);
  if (!forges.github && !forges.gitea) return result;
  const progress = await evaluationProgress(deps.pool, evaluationId);
  if (progress === undefined) return result;
  const pullRequest = await pullRequestOfJobset(deps.pool, progress.jobsetId);
  if (pullRequest === undefined) return result;
  const poster = {
    forges,
    timeoutMs: deps.config.notifications.timeout * 1000,
    onDelivery: deps.onDelivery,
    baseUrl: deps.config.server.base_url,
  };
  if (wantsJobStatuses(pullRequest.statuses)) {
    const targets = pullRequestStatusTargets(pullRequest, [progress.inputRevisions], forges);
    for (const buildId of targets.length === 0
      ? []
      : await reusedBuildIdsOfEvaluation(deps.pool, evaluationId)) {
      const build = await findBuildDetail(deps.pool, buildId);
      if (!build) continue;
      await postCommitStatuses(poster, targets, commitStatusBody(build, poster.baseUrl), result, log);
      if (build.finished) continue;
      // Finished meanwhile: its final status again, so the pending one is not the last.
      const now = await findBuildDetail(deps.pool, buildId);
      if (now?.finished) {
        await postCommitStatuses(poster, targets, commitStatusBody(now, poster.baseUrl), result, log);
      }
    }
  }
  if (wantsSummaryStatus(pullRequest.statuses)) {
    await postEvaluationSummary(deps.pool, poster, pullRequest, evaluationId, false, result, log);
  }
  if (result.retrying.length > 0) throw new TransientNotificationError(result.retrying);
  log.info('pull request statuses posted', { delivered: result.delivered, failed: result.failed });
  return result;
}
