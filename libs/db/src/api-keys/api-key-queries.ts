// API keys: only the SHA-256 hash of a key is stored; rows never leave this module with it.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryOne, queryRows, countRow } from '../sql';
import { page, type Page, type PageRequest } from '../pagination';

export const apiKeyRow = z.object({
  id: z.number(),
  name: z.string(),
  keyPrefix: z.string(),
  role: z.string(),
  userId: z.number().nullable(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
});
export type ApiKeyRow = z.output<typeof apiKeyRow>;

const COLUMNS = 'id, name, key_prefix, role, user_id, created_at, last_used_at';

export async function insertApiKey(
  db: Queryable,
  key: { name: string; keyHash: Buffer; keyPrefix: string; role: string; userId?: number | null },
): Promise<ApiKeyRow> {
  return queryOne(
    db,
    apiKeyRow,
    `INSERT INTO api_keys (name, key_hash, key_prefix, role, user_id) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${COLUMNS}`,
    [key.name, key.keyHash, key.keyPrefix, key.role, key.userId ?? null],
  );
}

/** The key whose hash this is, with the stored hash for the caller's constant-time comparison. */
export async function findApiKeyByHash(
  db: Queryable,
  keyHash: Buffer,
): Promise<(ApiKeyRow & { keyHash: Buffer }) | undefined> {
  return queryMaybeOne(
    db,
    apiKeyRow.extend({ keyHash: z.instanceof(Buffer) }),
    `SELECT ${COLUMNS}, key_hash FROM api_keys WHERE key_hash = $1`,
    [keyHash],
  );
}

export async function findApiKey(db: Queryable, id: number): Promise<ApiKeyRow | undefined> {
  return queryMaybeOne(db, apiKeyRow, `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
}

/** Records a use; written at most once a minute per key so busy keys do not write on every request. */
export async function touchApiKey(db: Queryable, id: number): Promise<void> {
  await execute(
    db,
    `UPDATE api_keys SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [id],
  );
}

export async function listApiKeys(db: Queryable, request: PageRequest): Promise<Page<ApiKeyRow>> {
  const items = await queryRows(
    db,
    apiKeyRow,
    `SELECT ${COLUMNS} FROM api_keys ORDER BY id LIMIT $1 OFFSET $2`,
    [request.limit, request.offset],
  );
  const { n } = await queryOne(db, countRow, 'SELECT count(*)::int AS n FROM api_keys');
  return page(items, n, request);
}

export async function deleteApiKey(db: Queryable, id: number): Promise<boolean> {
  return (await execute(db, 'DELETE FROM api_keys WHERE id = $1', [id])) === 1;
}
