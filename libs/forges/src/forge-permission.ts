// Whether a user's permission on a repository, as the forge's collaborator permission API says it,
// lets them write to it (and so FC trusts their pull requests from forks).

/** GitHub: admin, maintain, write, triage, read, none (role_name); Gitea/Forgejo: owner, admin, write, read, none. */
const WRITE = new Set(['owner', 'admin', 'maintain', 'write']);

export interface ForgePermission {
  readonly permission: string;
  /** GitHub's finer role (maintain, triage, or a custom role's name); null when the forge gives none. */
  readonly roleName: string | null;
}

export function mayWrite(p: ForgePermission): boolean {
  return (
    WRITE.has(p.permission.toLowerCase()) || (p.roleName !== null && WRITE.has(p.roleName.toLowerCase()))
  );
}
