// Pending commit statuses, as Hydra's GitHubStatus posts them: when a build is queued and when it
// starts, each forge repository its evaluation fetched gets `pending` for the build's context. A
// pending status must never land after the final one: once posted, the build is read again, and if it
// finished meanwhile its final status is posted too (the finish's own job posts it as well).
import type { FcConfig } from '@fc/config';
import { evaluationInputRevisions, findBuildDetail, type BuildDetailRow, type Pool } from '@fc/db';
import type { Logger } from '@fc/logging';
import { commitStatusBody, commitStatusRequest, commitStatusTargets } from './commit-status';
import { postJson } from './http-delivery';
import { forgeSettings } from './notification-channels';

export interface PendingStatusDeps {
  readonly pool: Pool;
  readonly config: Pick<FcConfig, 'notifications' | 'server'>;
  readonly onDelivery?: (kind: string, result: 'delivered' | 'failed' | 'retrying') => void;
}

export interface PendingStatusResult {
  readonly delivered: number;
  readonly failed: number;
  /** Transient failures (5xx, timeouts): the job is retried. */
  readonly retrying: readonly string[];
}

/** Posts `pending` for an unfinished build; nothing for a build that has finished (its finish reports it). */
export async function reportPendingStatus(
  deps: PendingStatusDeps,
  buildId: number,
  log: Logger,
): Promise<PendingStatusResult> {
  const result = { delivered: 0, failed: 0, retrying: [] as string[] };
  const forges = forgeSettings(deps.config.notifications);
  if (!forges.github && !forges.gitea) return result;
  const build = await findBuildDetail(deps.pool, buildId);
  if (!build || build.finished || build.evaluationId === null) return result;
  const revisions = (await evaluationInputRevisions(deps.pool, build.evaluationId)) ?? {};
  const targets = commitStatusTargets(revisions, forges);
  const timeoutMs = deps.config.notifications.timeout * 1000;
  const post = async (b: BuildDetailRow) => {
    const body = commitStatusBody(b, deps.config.server.base_url);
    for (const target of targets) {
      const kind = target.forge === 'github' ? 'github_status' : 'gitea_status';
      const request = commitStatusRequest(target, forges);
      const r = await postJson(request.url, body, { headers: request.headers, timeoutMs });
      if (r.ok) {
        result.delivered++;
        deps.onDelivery?.(kind, 'delivered');
      } else if (r.retryable) {
        result.retrying.push(`${kind} ${target.label}: ${r.error}`);
        deps.onDelivery?.(kind, 'retrying');
      } else {
        result.failed++;
        deps.onDelivery?.(kind, 'failed');
        log.warn('pending commit status refused', { target: target.label, error: r.error });
      }
    }
  };
  await post(build);
  const now = await findBuildDetail(deps.pool, buildId);
  if (now?.finished) await post(now);
  return result;
}
