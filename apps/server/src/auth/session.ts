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
 * A read of the API without the session cookie: it has no session to load, and saves none (logins
 * are POSTs), so express-session and passport's session strategy are skipped for it (express-session
 * would make up and sign a session id for each such request only to drop it).
 */
export function isSessionlessApiRead(req: Request): boolean {
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    req.path.startsWith('/api/') &&
    !(req.headers.cookie ?? '').includes(`${SESSION_COOKIE}=`)
  );
}

/** `handler`, but not for the API reads that have no session (isSessionlessApiRead). */
export function unlessSessionlessApiRead(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (isSessionlessApiRead(req)) next();
    else handler(req, res, next);
  };
}
