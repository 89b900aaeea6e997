// Users: the password hash is read only by passwordHashOfUser, never with the rest of the row.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { execute, queryMaybeOne, queryOne, queryRows, updateSetList, countRow } from '../sql';
import { page, type Page, type PageRequest } from '../pagination';

export const userRow = z.object({
  id: z.number(),
  username: z.string(),
  email: z.string().nullable(),
  fullName: z.string().nullable(),
  roles: z.array(z.string()),
  hasPassword: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type UserRow = z.output<typeof userRow>;

const COLUMNS =
  'id, username, email, full_name, roles, password_hash IS NOT NULL AS has_password, created_at, updated_at';

export interface UserFields {
  readonly username: string;
  readonly email?: string | null | undefined;
  readonly fullName?: string | null | undefined;
  readonly roles?: readonly string[] | undefined;
  readonly passwordHash?: string | null | undefined;
}

export async function insertUser(db: Queryable, u: UserFields): Promise<UserRow> {
  return queryOne(
    db,
    userRow,
    `INSERT INTO users (username, email, full_name, roles, password_hash) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${COLUMNS}`,
    [u.username, u.email ?? null, u.fullName ?? null, u.roles ?? [], u.passwordHash ?? null],
  );
}

const UPDATABLE: Record<string, string> = {
  username: 'username',
  email: 'email',
  fullName: 'full_name',
  roles: 'roles',
  passwordHash: 'password_hash',
};

export async function updateUser(
  db: Queryable,
  id: number,
  changes: Partial<UserFields>,
): Promise<UserRow | undefined> {
  const values: unknown[] = [id];
  const sets = updateSetList(changes, UPDATABLE, values);
  return queryMaybeOne(db, userRow, `UPDATE users SET ${sets} WHERE id = $1 RETURNING ${COLUMNS}`, values);
}

export async function findUser(db: Queryable, id: number): Promise<UserRow | undefined> {
  return queryMaybeOne(db, userRow, `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
}

export async function findUserByName(db: Queryable, username: string): Promise<UserRow | undefined> {
  return queryMaybeOne(db, userRow, `SELECT ${COLUMNS} FROM users WHERE username = $1`, [username]);
}

export async function passwordHashOfUser(db: Queryable, id: number): Promise<string | null | undefined> {
  const row = await queryMaybeOne(
    db,
    z.object({ passwordHash: z.string().nullable() }),
    'SELECT password_hash FROM users WHERE id = $1',
    [id],
  );
  return row?.passwordHash;
}

export async function listUsers(db: Queryable, request: PageRequest): Promise<Page<UserRow>> {
  const items = await queryRows(
    db,
    userRow,
    `SELECT ${COLUMNS} FROM users ORDER BY username LIMIT $1 OFFSET $2`,
    [request.limit, request.offset],
  );
  const { n } = await queryOne(db, countRow, 'SELECT count(*)::int AS n FROM users');
  return page(items, n, request);
}

export async function deleteUser(db: Queryable, id: number): Promise<boolean> {
  return (await execute(db, 'DELETE FROM users WHERE id = $1', [id])) === 1;
}
