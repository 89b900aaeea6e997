// Login sessions (the `session` table of connect-pg-simple): ended per user when their password
// changes or the user is deleted.
import type { Queryable } from '../pool';
import { execute } from '../sql';

/** Ends every session of the user, except `keepSessionId` (the caller's own) when given. */
export async function deleteSessionsOfUser(
  db: Queryable,
  userId: number,
  keepSessionId: string | null = null,
): Promise<number> {
  return execute(
    db,
    `DELETE FROM session WHERE (sess -> 'passport' ->> 'user') = $1::bigint::text
       AND ($2::varchar IS NULL OR sid <> $2)`,
    [userId, keepSessionId],
  );
}
