// "May this author write to the project's repository?", asked of the forge that holds it (GitHub:
// GET /repos/{owner}/{repo}/collaborators/{user}/permission; Gitea/Forgejo: the same path): a
// collaborator with write access is trusted like a login in pull_request_trusted_users.
import {
  ForgeApiError,
  forgeRepositoryOf,
  mayWrite,
  type ForgeAccount,
  type ForgeClient,
  type ForgeKind,
} from '@fc/forges';

export interface WriteAccessAnswer {
  /** null: not asked (no configured forge holds the repository) or no answer (`problem` says why). */
  readonly mayWrite: boolean | null;
  readonly problem?: string;
}

export type AuthorWriteAccess = (
  projectRepositoryUrl: string,
  forge: ForgeKind,
  login: string,
) => Promise<WriteAccessAnswer>;

export function forgeAuthorWriteAccess(
  accounts: readonly ForgeAccount[],
  client: ForgeClient,
): AuthorWriteAccess {
  return async (projectRepositoryUrl, forge, login) => {
    const repository = forgeRepositoryOf(projectRepositoryUrl, accounts, forge);
    if (!repository) return { mayWrite: null };
    try {
      return { mayWrite: mayWrite(await client.permission(repository, login)) };
    } catch (e) {
      if (!(e instanceof ForgeApiError)) throw e;
      return { mayWrite: null, problem: e.message };
    }
  };
}
