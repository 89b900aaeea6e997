// Commit statuses on GitHub and Gitea for a finished build: one per forge repository the build's
// evaluation fetched at a known revision (the project's repository and git inputs, from
// evaluations.input_revisions) whose owner has a token, with the context `fc:<project>:<jobset>:<job>`.
import { BuildStatus, buildStatusName, ownerAndRepo, repositoryLocation } from '@fc/core';
import type { BuildDetailRow } from '@fc/db';
import type { OwnerTokens } from '@fc/forges';

export type StatusForge = 'github' | 'gitea';

export interface CommitStatusTarget {
  readonly forge: StatusForge;
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  /** `host/owner/repo@sha`: the delivery's target. */
  readonly label: string;
}

export interface ForgeSettings {
  /** github.com's API (notifications.github_api_url) when some owner has a token. */
  readonly github?: { readonly apiUrl: string; readonly tokens: OwnerTokens } | undefined;
  /** notifications.gitea_url when some owner there has a token. */
  readonly gitea?: { readonly url: string; readonly tokens: OwnerTokens } | undefined;
}

/** The token of the owner's repositories on the forge; undefined: no status can be posted there. */
export function statusToken(forges: ForgeSettings, forge: StatusForge, owner: string): string | undefined {
  return forges[forge]?.tokens.get(owner.toLowerCase());
}

const SHA = /^[0-9a-f]{40}$/;

/** Each distinct (forge, owner, repo, sha) among the evaluation's fetched revisions, by label. */
export function commitStatusTargets(
  inputRevisions: Record<string, unknown>,
  forges: ForgeSettings,
): CommitStatusTarget[] {
  const giteaHost = forges.gitea ? new URL(forges.gitea.url).hostname.toLowerCase() : undefined;
  const targets = new Map<string, CommitStatusTarget>();
  for (const value of Object.values(inputRevisions)) {
    if (typeof value !== 'object' || value === null) continue;
    const { uri, rev } = value as { uri?: unknown; rev?: unknown };
    if (typeof uri !== 'string' || typeof rev !== 'string' || !SHA.test(rev)) continue;
    const loc = repositoryLocation(uri);
    const names = loc && ownerAndRepo(loc);
    if (!loc || !names) continue;
    let forge: StatusForge | undefined;
    if (forges.github && loc.host === 'github.com') forge = 'github';
    else if (forges.gitea && loc.host === giteaHost) forge = 'gitea';
    // A status needs the owner's token; another owner's is never sent.
    if (!forge || statusToken(forges, forge, names.owner) === undefined) continue;
    const label = `${loc.host}/${names.owner}/${names.repo}@${rev}`;
    targets.set(label.toLowerCase(), { forge, ...names, sha: rev, label });
  }
  return [...targets.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

export interface CommitStatusBody {
  readonly state: 'success' | 'failure' | 'error' | 'pending';
  readonly context: string;
  readonly description: string;
  readonly target_url?: string;
}

/** Aborted (3), cancelled (4) and unsupported (9) are "error": the build said nothing of the commit. */
const ERROR_STATUSES = new Set<number>([BuildStatus.Aborted, BuildStatus.Cancelled, BuildStatus.Unsupported]);

export function commitStatusBody(build: BuildDetailRow, baseUrl: string | undefined): CommitStatusBody {
  const code = build.buildStatus;
  const state =
    !build.finished || code === null
      ? 'pending'
      : code === BuildStatus.Succeeded
        ? 'success'
        : ERROR_STATUSES.has(code)
          ? 'error'
          : 'failure';
  const name = buildStatusName(build.finished, code, build.startedAt);
  return {
    state,
    context: `fc:${build.projectName}:${build.jobsetName}:${build.job}`,
    // GitHub refuses descriptions over 140 characters.
    description: `Build ${build.id} ${name}`.slice(0, 140),
    ...(baseUrl ? { target_url: `${baseUrl.replace(/\/+$/, '')}/build/${build.id}` } : {}),
  };
}

/** The statuses URL and authorization header of a target. */
export function commitStatusRequest(
  target: CommitStatusTarget,
  forges: ForgeSettings,
): { url: string; headers: Record<string, string> } {
  const path = `repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}/statuses/${target.sha}`;
  const token = statusToken(forges, target.forge, target.owner);
  if (token === undefined) throw new Error(`no ${target.forge} token is configured for ${target.owner}`);
  if (target.forge === 'github') {
    const gh = forges.github!;
    return {
      url: `${gh.apiUrl.replace(/\/+$/, '')}/${path}`,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      },
    };
  }
  const gt = forges.gitea!;
  return {
    url: `${gt.url.replace(/\/+$/, '')}/api/v1/${path}`,
    headers: { authorization: `token ${token}`, accept: 'application/json' },
  };
}
