// Pending commit statuses, as Hydra's GitHubStatus posts them: when a build is queued and when it
// starts, each forge repository its evaluation fetched (a pull request's build: its head commit in
// the base repository) gets `pending` for the build's context. A pending status must never land after
// the final one: once posted, the build is read again, and if it finished meanwhile its final status
// is posted too (the finish's own job posts it as well).
import type { FcConfig } from '@fc/config';
import { findBuildDetail, type Pool } from '@fc/db';
import type { Logger } from '@fc/logging';
import { buildStatusTargets } from './build-status-targets';
import { commitStatusBody } from './commit-status';
import { forgeSettings } from './notification-channels';
import { emptyStatusPostResult, postCommitStatuses, type StatusPostResult } from './post-commit-statuses';

export interface PendingStatusDeps {
  readonly pool: Pool;
  readonly config: Pick<FcConfig, 'notifications' | 'server'>;
  readonly onDelivery?: (kind: string, result: 'delivered' | 'failed' | 'retrying') => void;
}

export type PendingStatusResult = StatusPostResult;

/** Posts `pending` for an unfinished build; nothing for a build that has finished (its finish reports it). */
export async function reportPendingStatus(
  deps: PendingStatusDeps,
  buildId: number,
  log: Logger,
): Promise<PendingStatusResult> {
  const result = emptyStatusPostResult();
  const forges = forgeSettings(deps.config.notifications);
  if (!forges.github && !forges.gitea) return result;
  const build = await findBuildDetail(deps.pool, buildId);
  if (!build || build.finished || build.evaluationId === null) return result;
  const { targets } = await buildStatusTargets(deps.pool, build, forges);
  const poster = {
    forges,
    timeoutMs: deps.config.notifications.timeout * 1000,
    onDelivery: deps.onDelivery,
  };
  const baseUrl = deps.config.server.base_url;
  await postCommitStatuses(poster, targets, commitStatusBody(build, baseUrl), result, log);
  const now = await findBuildDetail(deps.pool, buildId);
  if (now?.finished) await postCommitStatuses(poster, targets, commitStatusBody(now, baseUrl), result, log);
  return result;
}
