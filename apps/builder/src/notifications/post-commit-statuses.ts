// Posting one status body to commit-status targets outside notification_deliveries (pending statuses,
// and the statuses of pull requests' evaluations): each answer counted, transient failures collected
// for the job's retry, final refusals logged.
import type { Logger } from '@fc/logging';
import {
  commitStatusRequest,
  type CommitStatusBody,
  type CommitStatusTarget,
  type ForgeSettings,
} from './commit-status';
import { postJson } from './http-delivery';

export interface StatusPostResult {
  delivered: number;
  failed: number;
  /** Transient failures (5xx, timeouts): the job is retried. */
  readonly retrying: string[];
}

export function emptyStatusPostResult(): StatusPostResult {
  return { delivered: 0, failed: 0, retrying: [] };
}

export interface StatusPoster {
  readonly forges: ForgeSettings;
  readonly timeoutMs: number;
  readonly onDelivery?: ((kind: string, result: 'delivered' | 'failed' | 'retrying') => void) | undefined;
}

export async function postCommitStatuses(
  poster: StatusPoster,
  targets: readonly CommitStatusTarget[],
  body: CommitStatusBody,
  result: StatusPostResult,
  log: Logger,
): Promise<void> {
  for (const target of targets) {
    const kind = target.forge === 'github' ? 'github_status' : 'gitea_status';
    const request = commitStatusRequest(target, poster.forges);
    const r = await postJson(request.url, body, { headers: request.headers, timeoutMs: poster.timeoutMs });
    if (r.ok) {
      result.delivered++;
      poster.onDelivery?.(kind, 'delivered');
    } else if (r.retryable) {
      result.retrying.push(`${kind} ${target.label}: ${r.error}`);
      poster.onDelivery?.(kind, 'retrying');
    } else {
      result.failed++;
      poster.onDelivery?.(kind, 'failed');
      log.warn('commit status refused', { target: target.label, context: body.context, error: r.error });
    }
  }
}
