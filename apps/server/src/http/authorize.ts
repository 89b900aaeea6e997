// The one place where permissions are enforced: every route in the route table declares its
// access, and this function alone decides whether a principal meets it.
import { ForbiddenError, UnauthorizedError } from '@fc/core';
import { rolesGrant, type Permission } from '@fc/auth';
import type { Principal } from '../auth/principal';

/** public: anyone; authenticated: any valid key or session; a permission: a role granting it. */
export type Access = 'public' | 'authenticated' | Permission;

export function authorize(access: Access, principal: Principal | undefined): void {
  if (access === 'public') return;
  if (!principal)
    throw new UnauthorizedError('this endpoint needs an API key (Authorization: Bearer) or a session');
  if (access === 'authenticated') return;
  if (!rolesGrant(principal.roles, access)) {
    const roles = principal.roles.length ? principal.roles.join(', ') : 'no role';
    throw new ForbiddenError(`${roles} lacks the "${access}" permission`);
  }
}
