// API keys: created with a role, shown once, verified by hash in constant time.
import { NotFoundError } from '@fc/core';
import { apiKeyHashMatches, generateApiKeyToken, hashApiKeyToken, secretsEqual } from '@fc/auth';
import {
  deleteApiKey,
  findApiKey,
  findApiKeyByHash,
  insertApiKey,
  listApiKeys,
  touchApiKey,
  type ApiKeyRow,
  type Page,
  type PageRequest,
  type Pool,
} from '@fc/db';
import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal';

/** What a session logged in with a key remembers of it: the key's id, or a fingerprint of server.api_key. */
export type KeySessionRef = { readonly apiKeyId: number } | { readonly configKey: string };

export class ApiKeyService {
  constructor(
    private readonly pool: Pool,
    /** server.api_key: the legacy single key, acting as an admin. */
    private readonly configKey: string | undefined,
  ) {}

  async create(name: string, role: string, userId: number | null): Promise<{ key: string; row: ApiKeyRow }> {
    const token = generateApiKeyToken();
    const row = await insertApiKey(this.pool, {
      name,
      role,
      keyHash: token.hash,
      keyPrefix: token.prefix,
      userId,
    });
    return { key: token.token, row };
  }

  list(request: PageRequest): Promise<Page<ApiKeyRow>> {
    return listApiKeys(this.pool, request);
  }

  async delete(id: number): Promise<void> {
    if (!(await deleteApiKey(this.pool, id))) throw new NotFoundError(`API key ${id} does not exist`);
  }

  /** The principal of a presented bearer token, or undefined for an unknown one. */
  async verify(token: string): Promise<Principal | undefined> {
    if (this.configKey !== undefined && secretsEqual(token, this.configKey)) {
      return { kind: 'config-key', roles: ['admin'], userId: null, apiKeyId: null, name: 'server.api_key' };
    }
    const row = await findApiKeyByHash(this.pool, hashApiKeyToken(token));
    if (!row || !apiKeyHashMatches(row.keyHash, token)) return undefined;
    await touchApiKey(this.pool, row.id);
    return { kind: 'api-key', roles: [row.role], userId: row.userId, apiKeyId: row.id, name: row.name };
  }

  /** What a session started with this key's principal remembers, to find it again on each request. */
  sessionRefOf(principal: Principal): KeySessionRef | undefined {
    if (principal.kind === 'api-key' && principal.apiKeyId !== null) return { apiKeyId: principal.apiKeyId };
    if (principal.kind === 'config-key' && this.configKey !== undefined) {
      return { configKey: this.configKeyFingerprint(this.configKey) };
    }
    return undefined;
  }

  /** The principal of a key session, or undefined once the key is revoked (or server.api_key changed). */
  async sessionPrincipal(ref: KeySessionRef): Promise<Principal | undefined> {
    if ('configKey' in ref) {
      if (
        this.configKey === undefined ||
        !secretsEqual(ref.configKey, this.configKeyFingerprint(this.configKey))
      )
        return undefined;
      return { kind: 'config-key', roles: ['admin'], userId: null, apiKeyId: null, name: 'server.api_key' };
    }
    const row = await findApiKey(this.pool, ref.apiKeyId);
    if (!row) return undefined;
    return { kind: 'api-key', roles: [row.role], userId: row.userId, apiKeyId: row.id, name: row.name };
  }

  private configKeyFingerprint(key: string): string {
    return createHash('sha256').update(`fc session:${key}`).digest('base64url');
  }
}
