// Passport strategies: bearer API keys (no session) and the session's user, or the API key a
// dashboard user logged in with.
import { Passport } from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '@fc/core';
import type { ApiKeyService, KeySessionRef } from '../services/api-key.service';
import type { UserService } from '../services/user.service';
import { setPrincipal, type Principal } from './principal';

/** What a session stores: a user's id, or a reference to the key it was started with. */
export type SessionLogin = { readonly id: number } | KeySessionRef;

/** What a session holds after deserialization (req.user). */
interface SessionUser {
  readonly userId: number | null;
  readonly apiKeyId: number | null;
  readonly name: string;
  readonly roles: readonly string[];
}

export type FcPassport = InstanceType<typeof Passport>;

export function createPassport(apiKeys: ApiKeyService, users: UserService): FcPassport {
  const passport = new Passport();
  passport.use(
    new BearerStrategy((token, done) => {
      apiKeys.verify(token).then(
        (principal) => done(null, principal ?? false),
        (e: unknown) => done(e),
      );
    }),
  );
  passport.serializeUser((login, done) => {
    const l = login as SessionLogin;
    done(null, 'id' in l ? l.id : l);
  });
  passport.deserializeUser((stored: number | KeySessionRef, done) => {
    const lookup: Promise<SessionUser | undefined> =
      typeof stored === 'number'
        ? users
            .find(stored)
            .then((u) => u && { userId: u.id, apiKeyId: null, name: u.username, roles: u.roles })
        : apiKeys
            .sessionPrincipal(stored)
            .then((p) => p && { userId: p.userId, apiKeyId: p.apiKeyId, name: p.name, roles: p.roles });
    lookup.then(
      (u) => done(null, u ?? false),
      (e: unknown) => done(e),
    );
  });
  return passport;
}

/**
 * Establishes the principal: an Authorization header must carry a known key (else 401, even on
 * public routes); without one, a session's user is the principal; otherwise there is none.
 */
export function authenticate(passport: FcPassport): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    if (header !== undefined) {
      if (!/^Bearer [^\s]+$/i.test(header.trim())) {
        next(new UnauthorizedError('the Authorization header must be "Bearer <API key>"'));
        return;
      }
      const run = passport.authenticate(
        'bearer',
        { session: false },
        (err: unknown, principal: Principal | false) => {
          if (err) {
            next(err);
            return;
          }
          if (!principal) {
            next(new UnauthorizedError('unknown API key'));
            return;
          }
          setPrincipal(req, principal);
          next();
        },
      ) as RequestHandler;
      run(req, res, next);
      return;
    }
    const user = req.user as SessionUser | undefined;
    if (user) {
      setPrincipal(req, {
        kind: 'session',
        roles: user.roles,
        userId: user.userId,
        apiKeyId: user.apiKeyId,
        name: user.name,
      });
    }
    next();
  };
}
