// Starting and ending a session (the API's /auth/login and the dashboard's /login share these).
import type { Request, Response } from 'express';
import { ensureCsrfToken } from '../http/csrf';
import type { SessionLogin } from './passport-setup';
import { SESSION_COOKIE } from './session';

/** Adapts a Node-style callback to a promise. */
function settle(resolve: () => void, reject: (e: Error) => void): (err: unknown) => void {
  return (err) =>
    err ? reject(err instanceof Error ? err : new Error('session error', { cause: err })) : resolve();
}

/**
 * Starts a fresh session (passport regenerates its id) for a user or an API key, with its CSRF
 * token, saved before the answer so that the client's next request finds both. Returns the token.
 */
export async function startSession(req: Request, login: SessionLogin): Promise<string> {
  await new Promise<void>((resolve, reject) => req.login(login, settle(resolve, reject)));
  const token = ensureCsrfToken(req);
  await saveSession(req);
  return token;
}

/**
 * Saves the session now: express-session saves a changed one only after it has sent the answer's
 * headers, so a browser following a redirect at once could read the session without the change.
 */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save(settle(resolve, reject)));
}

export async function endSession(req: Request, res: Response): Promise<void> {
  if (req.session) {
    await new Promise<void>((resolve, reject) => req.logout(settle(resolve, reject)));
    await new Promise<void>((resolve, reject) => req.session.destroy(settle(resolve, reject)));
  }
  res.clearCookie(SESSION_COOKIE);
}
