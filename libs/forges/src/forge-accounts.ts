// The forges FC can ask about pull requests, from its configuration, which of them holds a project's
// repository, and which token (if any) goes with a repository: GitHub (github.com, or GitHub
// Enterprise at its API's host) and Gitea/Forgejo (notifications.gitea_url and the Giteas of
// notifications.gitea_authorization), each with its tokens per owner.
import { ownerAndRepo, repositoryLocation } from '@fc/core';

export type ForgeKind = 'github' | 'gitea';

/** Tokens by owner, the owner lower-cased (GitHub and Gitea compare owners case-insensitively). */
export type OwnerTokens = ReadonlyMap<string, string>;

export interface ForgeAccount {
  readonly kind: ForgeKind;
  /** The REST API's base URL, without a trailing slash (`https://api.github.com`, `https://gitea.example.org/api/v1`). */
  readonly apiUrl: string;
  /** The host name its repositories' clone URLs have (`github.com`). */
  readonly host: string;
  /**
   * The token to send for each owner's repositories. An owner not listed is asked anonymously (its
   * public repositories only): one owner's token never goes to another owner's repository.
   */
  readonly tokens: OwnerTokens;
}

/** One repository on a forge, with the account to ask about it. */
export interface ForgeRepository {
  readonly account: ForgeAccount;
  readonly owner: string;
  readonly repo: string;
}

/** The token FC sends for this repository: its owner's, if one is configured; else none. */
export function forgeToken(r: Pick<ForgeRepository, 'account' | 'owner'>): string | undefined {
  return r.account.tokens.get(r.owner.toLowerCase());
}

export interface GiteaSettings {
  /** The Gitea's base URL (`https://gitea.example.org`). */
  readonly url: string;
  /** owner -> token */
  readonly tokens: Readonly<Record<string, string>>;
}

export interface ForgeSettings {
  /** notifications.github_api_url */
  readonly githubApiUrl: string;
  /** owner -> token, from notifications.github_authorization and github_token with github_token_owners. */
  readonly githubTokens?: Readonly<Record<string, string>> | undefined;
  /** notifications.gitea_url first (when set), then each other Gitea of notifications.gitea_authorization. */
  readonly giteas?: readonly GiteaSettings[] | undefined;
}

/** The [notifications] keys of the forges (FcConfig['notifications']). */
export interface ForgeConfigKeys {
  readonly github_api_url: string;
  readonly github_token?: string | undefined;
  readonly github_token_owners?: readonly string[] | undefined;
  readonly github_authorization?: Readonly<Record<string, string>> | undefined;
  readonly gitea_url?: string | undefined;
  readonly gitea_token?: string | undefined;
  readonly gitea_token_owners?: readonly string[] | undefined;
  readonly gitea_authorization?: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined;
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** A base URL as one key: `https://Gitea.example.org/` and `https://gitea.example.org` are one. */
function baseUrlKey(url: string): string {
  return trimSlashes(new URL(url).href);
}

/**
 * Who gets which token, from FC's configuration: github_authorization / gitea_authorization name a
 * token per owner (per Gitea, by its base URL); the single github_token / gitea_token is the token of
 * each owner in github_token_owners / gitea_token_owners that has none of its own there. No other
 * owner gets a token (the configuration refuses a single token without its owners).
 */
export function forgeSettingsOf(n: ForgeConfigKeys): ForgeSettings {
  const withDefault = (
    own: Readonly<Record<string, string>> | undefined,
    token: string | undefined,
    owners: readonly string[] | undefined,
  ): Record<string, string> => {
    const out: Record<string, string> = {};
    if (token !== undefined) for (const owner of owners ?? []) out[owner.toLowerCase()] = token;
    for (const [owner, t] of Object.entries(own ?? {})) out[owner.toLowerCase()] = t;
    return out;
  };
  const giteas: GiteaSettings[] = [];
  const tables = Object.entries(n.gitea_authorization ?? {});
  if (n.gitea_url) {
    const key = baseUrlKey(n.gitea_url);
    const own = tables.find(([url]) => baseUrlKey(url) === key)?.[1];
    giteas.push({ url: n.gitea_url, tokens: withDefault(own, n.gitea_token, n.gitea_token_owners) });
  }
  for (const [url, tokens] of tables) {
    if (giteas.some((g) => baseUrlKey(g.url) === baseUrlKey(url))) continue;
    giteas.push({ url, tokens: withDefault(tokens, undefined, undefined) });
  }
  return {
    githubApiUrl: n.github_api_url,
    githubTokens: withDefault(n.github_authorization, n.github_token, n.github_token_owners),
    giteas,
  };
}

function ownerTokens(tokens: Readonly<Record<string, string>> | undefined): OwnerTokens {
  return new Map(Object.entries(tokens ?? {}).map(([owner, t]) => [owner.toLowerCase(), t]));
}

/**
 * GitHub's account always exists (an owner without a token is asked anonymously, as GitHub allows
 * for public repositories); a Gitea's for gitea_url and each Gitea with tokens. GitHub's repositories
 * are on `github.com` when the API is `api.github.com`, else on the API's own host (GitHub Enterprise
 * serves `/api/v3` there).
 */
export function forgeAccounts(s: ForgeSettings): ForgeAccount[] {
  const githubApiHost = new URL(s.githubApiUrl).hostname.toLowerCase();
  const accounts: ForgeAccount[] = [
    {
      kind: 'github',
      apiUrl: trimSlashes(s.githubApiUrl),
      host: githubApiHost.startsWith('api.') ? githubApiHost.slice('api.'.length) : githubApiHost,
      tokens: ownerTokens(s.githubTokens),
    },
  ];
  for (const gitea of s.giteas ?? []) {
    accounts.push({
      kind: 'gitea',
      apiUrl: `${baseUrlKey(gitea.url)}/api/v1`,
      host: new URL(gitea.url).hostname.toLowerCase(),
      tokens: ownerTokens(gitea.tokens),
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
 * API), or on the Gitea/Forgejo at `origin`. A configured Gitea at exactly that origin gives its
 * owners' tokens; any other is asked anonymously (FC's tokens never go to a host an editor names).
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
  const apiUrl = `${baseUrlKey(origin)}/api/v1`;
  const configured = accounts.find((a) => a.kind === 'gitea' && baseUrlKey(a.apiUrl) === apiUrl);
  return {
    account: configured ?? { kind: 'gitea', apiUrl, host: new URL(apiUrl).hostname, tokens: new Map() },
    owner,
    repo,
  };
}
