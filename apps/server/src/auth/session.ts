// Sessions for logged-in users: express-session stored in the `session` table by connect-pg-simple.
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import type { Request, RequestHandler } from 'express';
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

/**
 * A read (GET, HEAD) without the session cookie: it has no session to load and saves none (logins
 * and every action are POSTs; a flash message needs a logged-in session), so express-session and
 * passport's session strategy are skipped for it: express-session would make up and sign a session
 * id for each such request only to drop it (~0.2 ms of CPU per API request or page).
 */
export function isSessionlessRead(req: Request): boolean {
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    !(req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`)
  );
}

/** `handler`, but not for the reads that have no session (isSessionlessRead). */
export function unlessSessionlessRead(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (isSessionlessRead(req)) next();
    else handler(req, res, next);
  };
}
