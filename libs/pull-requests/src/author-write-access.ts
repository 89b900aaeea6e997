// "May this author write to the pull request's base repository?", asked of the forge that holds it
// (GitHub: GET /repos/{owner}/{repo}/collaborators/{user}/permission; Gitea/Forgejo: the same path):
// a collaborator with write access is trusted like a login in pull_request_trusted_users. The base
// repository is the one the forge named for the pull request (the webhook's or the list's
// base.repo), not whatever the project's repository URL names: a project may build from a mirror
// or from a repository since renamed, and write access to another repository proves nothing.
import { baseRepositoryNames } from '@fc/core';
import {
  ForgeApiError,
  forgeRepositoryOf,
  forgeToken,
  mayWrite,
  type ForgeAccount,
  type ForgeClient,
  type ForgeKind,
  type ForgeRepository,
} from '@fc/forges';

export interface WriteAccessAnswer {
  /** null: not asked (no configured forge holds the repository, or no token for its owner) or no answer (`problem` says why). */
  readonly mayWrite: boolean | null;
  readonly problem?: string;
}

/** Which pull request the author's write access is asked for. */
export interface WriteAccessScope {
  /** The project's repository_url: which forge (host) holds the pull request, when it is on one. */
  readonly projectRepositoryUrl: string;
  /** `owner/name` of the pull request's base repository as the forge named it; null: the project's. */
  readonly baseRepository: string | null;
}

export type AuthorWriteAccess = (
  scope: WriteAccessScope,
  forge: ForgeKind,
  login: string,
) => Promise<WriteAccessAnswer>;

/**
 * The base repository to ask about, on the forge holding the project's repository (the first
 * account of the pull request's kind when the project's repository is on none, e.g. a mirror).
 */
export function writeAccessRepository(
  scope: WriteAccessScope,
  forge: ForgeKind,
  accounts: readonly ForgeAccount[],
): ForgeRepository | undefined {
  const account =
    forgeRepositoryOf(scope.projectRepositoryUrl, accounts, forge)?.account ??
    accounts.find((a) => a.kind === forge);
  const names = baseRepositoryNames(scope.baseRepository, scope.projectRepositoryUrl);
  return account && names && { account, ...names };
}

export function forgeAuthorWriteAccess(
  accounts: readonly ForgeAccount[],
  client: ForgeClient,
): AuthorWriteAccess {
  return async (scope, forge, login) => {
    const repository = writeAccessRepository(scope, forge, accounts);
    // The permission API needs the owner's token; no other owner's is sent.
    if (!repository || forgeToken(repository) === undefined) return { mayWrite: null };
    try {
      return { mayWrite: mayWrite(await client.permission(repository, login)) };
    } catch (e) {
      if (!(e instanceof ForgeApiError)) throw e;
      return { mayWrite: null, problem: e.message };
    }
  };
}
