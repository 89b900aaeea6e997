// /login (an API key, or a username and password: a 24-hour session) and /logout.
import { z } from 'zod';
import { UnauthorizedError } from '@fc/core';
import { endSession, startSession } from '../auth/session-login';
import type { Services } from '../services/services';
import { definePage, redirect, safeLocalPath, view, type Page } from './page-route';

const loginForm = z.object({
  api_key: z.string().trim().optional(),
  username: z.string().trim().optional(),
  password: z.string().optional(),
  next: z.string().optional(),
});

function loginView(next: string, error?: string, username = '') {
  return view('login', 'Log in', { next, error: error ?? null, username }, error ? 401 : 200);
}

export function loginPages(s: Services): Page[] {
  return [
    definePage({
      method: 'get',
      path: '/login',
      access: 'public',
      query: z.object({ next: z.string().optional() }),
      handle: ({ query }) => Promise.resolve(loginView(safeLocalPath(query.next))),
    }),
    definePage({
      method: 'post',
      path: '/login',
      access: 'public',
      body: loginForm,
      handle: async ({ body, req }) => {
        const next = safeLocalPath(body.next);
        try {
          if (body.api_key) {
            const principal = await s.apiKeys.verify(body.api_key);
            const ref = principal && s.apiKeys.sessionRefOf(principal);
            if (!ref) throw new UnauthorizedError('unknown API key');
            await startSession(req, ref);
          } else if (body.username && body.password) {
            const user = await s.users.authenticate(body.username, body.password, {
              address: req.ip ?? req.socket.remoteAddress ?? 'unknown',
            });
            await startSession(req, { id: user.id });
          } else {
            return loginView(next, 'Enter an API key, or a username and a password.', body.username);
          }
        } catch (e) {
          if (e instanceof UnauthorizedError) return loginView(next, e.message, body.username);
          throw e;
        }
        return redirect(next);
      },
    }),
    definePage({
      method: 'post',
      path: '/logout',
      access: 'public',
      handle: async ({ req, res }) => {
        await endSession(req, res);
        return redirect('/');
      },
    }),
  ];
}
