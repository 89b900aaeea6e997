// CSRF protection for the whole server. A request that changes something and carries the session
// cookie as its credentials must present the session's token (form field `_csrf` or header
// X-CSRF-Token) and must not come from a foreign Origin; otherwise it is refused with 403 before
// any handler runs. Bearer-key clients carry their credentials themselves and are not affected.
import type { Request, RequestHandler } from 'express';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from '@fc/core';
import { principalOf } from '../auth/principal';
import '../auth/session-data';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session's CSRF token, created on first use (call it once the session is logged in). */
export function ensureCsrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

/** The CSRF token for a request's forms; undefined unless the session is the credential. */
export function csrfTokenOf(req: Request): string | undefined {
  return principalOf(req)?.kind === 'session' ? ensureCsrfToken(req) : undefined;
}

function presentedToken(req: Request): string | undefined {
  const header = req.get(CSRF_HEADER);
  if (header) return header;
  const body: unknown = req.body;
  if (body && typeof body === 'object' && CSRF_FIELD in body) {
    const value = (body as Record<string, unknown>)[CSRF_FIELD];
    delete (body as Record<string, unknown>)[CSRF_FIELD];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function tokensMatch(expected: string | undefined, presented: string | undefined): boolean {
  if (!expected || !presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The request's Origin is this server's own, or one of server.allowed_origins (absent is fine). */
function originAllowed(req: Request, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  return origin === `${req.protocol}://${req.get('host') ?? ''}` || allowedOrigins.has(origin);
}

export function csrfProtection(options: { allowedOrigins: readonly string[] }): RequestHandler {
  const allowed = new Set(options.allowedOrigins);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || req.get('authorization') !== undefined) {
      next();
      return;
    }
    if (!originAllowed(req, allowed)) {
      next(new ForbiddenError('cross-origin request refused (CSRF protection)'));
      return;
    }
    const presented = presentedToken(req);
    if (principalOf(req)?.kind === 'session' && !tokensMatch(req.session.csrfToken, presented)) {
      next(new ForbiddenError('missing or invalid CSRF token: reload the page and try again'));
      return;
    }
    next();
  };
}
