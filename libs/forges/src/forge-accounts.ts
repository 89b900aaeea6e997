// The forges FC can ask about pull requests, from its configuration, and which of them holds a
// project's repository: GitHub (github.com, or GitHub Enterprise at its API's host) and one
// Gitea/Forgejo (notifications.gitea_url).
import { ownerAndRepo, repositoryLocation } from '@fc/core';

export type ForgeKind = 'github' | 'gitea';

export interface ForgeAccount {
  readonly kind: ForgeKind;
  /** The REST API's base URL, without a trailing slash (`https://api.github.com`, `https://gitea.example.org/api/v1`). */
  readonly apiUrl: string;
  /** The host name its repositories' clone URLs have (`github.com`). */
  readonly host: string;
  /** Sent as the Authorization header's credential; undefined: anonymous requests. */
  readonly token: string | undefined;
}

/** One repository on a forge, with the account to ask about it. */
export interface ForgeRepository {
  readonly account: ForgeAccount;
  readonly owner: string;
  readonly repo: string;
}

export interface ForgeSettings {
  /** notifications.github_api_url */
  readonly githubApiUrl: string;
  /** notifications.github_token */
  readonly githubToken?: string | undefined;
  /** notifications.gitea_url */
  readonly giteaUrl?: string | undefined;
  /** notifications.gitea_token */
  readonly giteaToken?: string | undefined;
}

/** FC's configuration keys of the forges (the [notifications] section's). */
export function forgeSettingsOf(n: {
  readonly github_api_url: string;
  readonly github_token?: string | undefined;
  readonly gitea_url?: string | undefined;
  readonly gitea_token?: string | undefined;
}): ForgeSettings {
  return {
    githubApiUrl: n.github_api_url,
    githubToken: n.github_token,
    giteaUrl: n.gitea_url,
    giteaToken: n.gitea_token,
  };
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * GitHub's account always exists (without a token it asks anonymously, as GitHub allows for public
 * repositories); Gitea's when gitea_url is set. GitHub's repositories are on `github.com` when the
 * API is `api.github.com`, else on the API's own host (GitHub Enterprise serves `/api/v3` there).
 */
export function forgeAccounts(s: ForgeSettings): ForgeAccount[] {
  const githubApiHost = new URL(s.githubApiUrl).hostname.toLowerCase();
  const accounts: ForgeAccount[] = [
    {
      kind: 'github',
      apiUrl: trimSlashes(s.githubApiUrl),
      host: githubApiHost.startsWith('api.') ? githubApiHost.slice('api.'.length) : githubApiHost,
      token: s.githubToken,
    },
  ];
  if (s.giteaUrl) {
    accounts.push({
      kind: 'gitea',
      apiUrl: `${trimSlashes(s.giteaUrl)}/api/v1`,
      host: new URL(s.giteaUrl).hostname.toLowerCase(),
      token: s.giteaToken,
    });
  }
  return accounts;
}

/**
 * The forge repository a clone URL names (`https://github.com/acme/app.git`, `git@github.com:acme/app`),
 * on an account of `kind` when given; undefined for local paths, other hosts and paths that are not
 * `owner/repo`.
 */
export function forgeRepositoryOf(
  repositoryUrl: string,
  accounts: readonly ForgeAccount[],
  kind?: ForgeKind,
): ForgeRepository | undefined {
  const location = repositoryLocation(repositoryUrl);
  const names = location && ownerAndRepo(location);
  if (!location || !names) return undefined;
  const account = accounts.find((a) => a.host === location.host && (kind === undefined || a.kind === kind));
  return account && { account, ...names };
}

/**
 * A repository named by owner and name, as Hydra's pulls inputs name it: on GitHub (the configured
 * API), or on the Gitea/Forgejo at `origin` — with the configured account's token only when that is
 * the configured Gitea's API, else asked anonymously (FC's token never goes to another host).
 */
export function forgeRepositoryNamed(
  kind: ForgeKind,
  owner: string,
  repo: string,
  accounts: readonly ForgeAccount[],
  origin?: string | null,
): ForgeRepository {
  if (kind === 'github' || !origin) {
    const account = accounts.find((a) => a.kind === kind);
    if (!account) throw new Error(`no ${kind} forge is configured`);
    return { account, owner, repo };
  }
  const apiUrl = new URL(`${trimSlashes(origin)}/api/v1`).href.replace(/\/+$/, '');
  const configured = accounts.find(
    (a) => a.kind === 'gitea' && new URL(a.apiUrl).href.replace(/\/+$/, '') === apiUrl,
  );
  return {
    account: configured ?? { kind: 'gitea', apiUrl, host: new URL(apiUrl).hostname, token: undefined },
    owner,
    repo,
  };
}
