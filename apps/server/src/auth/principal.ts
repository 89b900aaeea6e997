// Who is calling: an API key, the configured server.api_key, or a logged-in user (session).
import type { Request } from 'express';

export interface Principal {
  readonly kind: 'api-key' | 'config-key' | 'session';
  readonly roles: readonly string[];
  /** The user behind a session, or the owner of an API key (null for keys without one). */
  readonly userId: number | null;
  readonly apiKeyId: number | null;
  readonly name: string;
}

const PRINCIPAL = Symbol('fc.principal');

export function setPrincipal(req: Request, principal: Principal): void {
  (req as unknown as Record<symbol, Principal>)[PRINCIPAL] = principal;
}

export function principalOf(req: Request): Principal | undefined {
  return (req as unknown as Record<symbol, Principal | undefined>)[PRINCIPAL];
}
