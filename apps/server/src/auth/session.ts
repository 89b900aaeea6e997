// Sessions for logged-in users: express-session stored in the `session` table by connect-pg-simple.
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type { RequestHandler } from 'express';
import type { Pool } from '@fc/db';

export const SESSION_COOKIE = 'fc.sid';
export const SESSION_MAX_AGE_MS = 24 * 3600 * 1000;

export interface SessionOptions {
  readonly secret: string;
  /** server.force_secure_cookies */
  readonly secureCookies: boolean;
  readonly maxAgeMs?: number;
}

export function sessionMiddleware(
  pool: Pool,
  options: SessionOptions,
): { handler: RequestHandler; close(): void } {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool,
    tableName: 'session',
    createTableIfMissing: false,
    pruneSessionInterval: 15 * 60,
  });
  const handler = session({
    name: SESSION_COOKIE,
    secret: options.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secureCookies,
      maxAge: options.maxAgeMs ?? SESSION_MAX_AGE_MS,
    },
  });
  return { handler, close: () => store.close() };
}
