// What the notifications.* settings ask of the other daemons.
import type { FcConfig } from './config-schema';

/**
 * Whether commit statuses are posted (GitHub or Gitea configured): then a build's queueing and start
 * are reported too, as `pending` statuses, by whichever daemon queues or starts it.
 */
export function commitStatusesConfigured(n: FcConfig['notifications']): boolean {
  return githubTokensConfigured(n) || giteaTokensConfigured(n);
}

/** Whether some GitHub owner has a token (github_token with its owners, or github_authorization). */
export function githubTokensConfigured(n: FcConfig['notifications']): boolean {
  return Boolean(n.github_token) || Object.keys(n.github_authorization ?? {}).length > 0;
}

/** Whether some owner on gitea_url's Gitea has a token (commit statuses go to that Gitea only). */
export function giteaTokensConfigured(n: FcConfig['notifications']): boolean {
  if (!n.gitea_url) return false;
  const base = baseUrl(n.gitea_url);
  const own = Object.entries(n.gitea_authorization ?? {}).find(([url]) => baseUrl(url) === base);
  return Boolean(n.gitea_token) || Object.keys(own?.[1] ?? {}).length > 0;
}

function baseUrl(url: string): string {
  return new URL(url).href.replace(/\/+$/, '');
}
