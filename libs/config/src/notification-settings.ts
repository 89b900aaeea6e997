// What the notifications.* settings ask of the other daemons.
import type { FcConfig } from './config-schema';

/**
 * Whether commit statuses are posted (GitHub or Gitea configured): then a build's queueing and start
 * are reported too, as `pending` statuses, by whichever daemon queues or starts it.
 */
export function commitStatusesConfigured(n: FcConfig['notifications']): boolean {
  return Boolean(n.github_token || (n.gitea_url && n.gitea_token));
}
