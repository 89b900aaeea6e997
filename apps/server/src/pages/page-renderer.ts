// Renders a page template inside the layout: every template gets the layout's locals (title, who
// is logged in, the CSRF token, flash messages, asset URLs) beside its own view model.
// Templates escape by default (<%= %>); <%- %> is kept for includes of partials.
import type { Request, Response } from 'express';
import ejs from 'ejs';
import { join } from 'node:path';
import { rolesGrant, type Permission } from '@fc/auth';
import { principalOf } from '../auth/principal';
import type { FlashMessage } from '../auth/session-data';
import { csrfTokenOf } from '../http/csrf';
import type { AssetUrls } from './assets';
import type { PageView } from './page-route';

export interface LayoutLocals {
  readonly title: string;
  readonly me: { readonly name: string; readonly roles: readonly string[] } | null;
  readonly csrfToken: string | undefined;
  readonly flash: readonly FlashMessage[];
  /** The header search box's text. */
  readonly q: string;
  readonly assets: AssetUrls;
  readonly path: string;
  can(permission: Permission): boolean;
}

export function takeFlash(req: Request): FlashMessage[] {
  const flash = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  return flash;
}

export function addFlash(req: Request, message: FlashMessage): boolean {
  if (!req.session || !req.user) return false;
  req.session.flash = [...(req.session.flash ?? []), message];
  return true;
}

export class PageRenderer {
  constructor(
    private readonly templatesDir: string,
    private readonly assets: AssetUrls,
    private readonly cache: boolean,
  ) {}

  private locals(req: Request, title: string): LayoutLocals {
    const principal = principalOf(req);
    const q = typeof req.query['q'] === 'string' ? req.query['q'] : '';
    return {
      title,
      me: principal ? { name: principal.name, roles: principal.roles } : null,
      csrfToken: csrfTokenOf(req),
      flash: takeFlash(req),
      q,
      assets: this.assets,
      path: req.originalUrl,
      can: (permission) => (principal ? rolesGrant(principal.roles, permission) : false),
    };
  }

  async html(req: Request, page: PageView): Promise<string> {
    return ejs.renderFile(
      join(this.templatesDir, 'pages', `${page.template}.ejs`),
      { ...this.locals(req, page.title), ...page.model },
      { root: this.templatesDir, cache: this.cache, strict: false, async: false },
    );
  }

  async render(req: Request, res: Response, page: PageView): Promise<void> {
    const html = await this.html(req, page);
    res
      .status(page.status ?? 200)
      .type('html')
      .send(html);
  }

  /** The HTML error page (the error boundary's answer to pages). */
  async renderError(
    req: Request,
    res: Response,
    error: { status: number; message: string; requestId: string },
  ): Promise<void> {
    const heading = ERROR_HEADINGS[error.status] ?? (error.status >= 500 ? 'Server error' : 'Error');
    await this.render(req, res, {
      template: 'error',
      title: heading,
      model: { ...error, heading },
      status: error.status,
    });
  }
}

const ERROR_HEADINGS: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Log in needed',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Unavailable',
};
