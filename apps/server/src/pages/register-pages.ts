// Turns the page table into Express handlers: authorize, parse, handle, then render the view or
// redirect with a flash message. Errors go to the app's one error boundary, which answers pages
// with the HTML error page.
import { Router, type Request, type Response } from 'express';
import { ConflictError, ValidationError } from '@fc/core';
import { rolesGrant } from '@fc/auth';
import { principalOf } from '../auth/principal';
import { saveSession } from '../auth/session-login';
import { authorize } from '../http/authorize';
import { markPageRequest } from '../http/error-boundary';
import { parseInput } from '../http/validation';
import { addFlash, type PageRenderer } from './page-renderer';
import type { Page, PageView, Redirect } from './page-route';

async function run(page: Page, req: Request, res: Response): Promise<PageView | Redirect> {
  const principal = principalOf(req);
  authorize(page.access, principal);
  const params = parseInput(page.params, req.params, 'path');
  const query = parseInput(page.query, req.query, 'query');
  try {
    const body = parseInput(page.body, req.body ?? {}, 'body');
    return await page.handle({
      params,
      query,
      body,
      principal,
      can: (permission) => (principal ? rolesGrant(principal.roles, permission) : false),
      req,
      res,
    });
  } catch (e) {
    // A form's bad or conflicting input goes back to the form, said in a flash message.
    if (page.back && (e instanceof ValidationError || e instanceof ConflictError)) {
      return { redirect: page.back(params), flash: { kind: 'error', text: e.message } };
    }
    throw e;
  }
}

export function registerPages(pages: readonly Page[], renderer: PageRenderer): Router {
  const router = Router();
  for (const page of pages) {
    router[page.method](page.path, async (req: Request, res: Response) => {
      markPageRequest(res);
      const result = await run(page, req, res);
      if (res.headersSent) return;
      if ('redirect' in result) {
        // Saved before the redirect goes out, so that the next page finds the message.
        if (result.flash && addFlash(req, result.flash)) await saveSession(req);
        res.redirect(303, result.redirect);
        return;
      }
      await renderer.render(req, res, result);
    });
  }
  return router;
}
