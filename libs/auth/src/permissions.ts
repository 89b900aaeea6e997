// Hydra's roles. A role names what its holder may do beyond reading; "admin" may do everything,
// "read-only" nothing beyond reading, and a role string FC does not know holds no permission.
import { NAME_PATTERN } from '@fc/core';

export const Permission = {
  Admin: 'admin',
  CreateProjects: 'create-projects',
  EvalJobset: 'eval-jobset',
  CancelBuild: 'cancel-build',
  RestartJobs: 'restart-jobs',
  BumpToFront: 'bump-to-front',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const KNOWN_ROLES = [
  'admin',
  'read-only',
  'create-projects',
  'eval-jobset',
  'cancel-build',
  'restart-jobs',
  'bump-to-front',
] as const;
export type KnownRole = (typeof KNOWN_ROLES)[number];

/** What a role string must look like (known roles and custom ones alike). */
export const ROLE_PATTERN = NAME_PATTERN;

const PERMISSIONS_OF_ROLE: Record<KnownRole, readonly Permission[]> = {
  admin: Object.values(Permission),
  'read-only': [],
  'create-projects': [Permission.CreateProjects],
  'eval-jobset': [Permission.EvalJobset],
  'cancel-build': [Permission.CancelBuild],
  'restart-jobs': [Permission.RestartJobs],
  'bump-to-front': [Permission.BumpToFront],
};

function isKnownRole(role: string): role is KnownRole {
  return (KNOWN_ROLES as readonly string[]).includes(role);
}

export function permissionsOfRoles(roles: readonly string[]): ReadonlySet<Permission> {
  const out = new Set<Permission>();
  for (const role of roles) if (isKnownRole(role)) for (const p of PERMISSIONS_OF_ROLE[role]) out.add(p);
  return out;
}

/** True when any of the roles grants the permission (admin grants every one). */
export function rolesGrant(roles: readonly string[], permission: Permission): boolean {
  return permissionsOfRoles(roles).has(permission);
}
