// API keys: created with a role, shown once, verified by hash in constant time.
import { NotFoundError } from '@fc/core';
import { apiKeyHashMatches, generateApiKeyToken, hashApiKeyToken, secretsEqual } from '@fc/auth';
import {
  deleteApiKey,
  findApiKeyByHash,
  insertApiKey,
  listApiKeys,
  touchApiKey,
  type ApiKeyRow,
  type Page,
  type PageRequest,
  type Pool,
} from '@fc/db';
import type { Principal } from '../auth/principal';

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
}
