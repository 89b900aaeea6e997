// Renders a page template inside the layout: every template gets the layout's locals (title, who
// is logged in, the CSRF token, flash messages, asset URLs) beside its own view model.
// Templates escape by default (<%= %>); <%- %> is kept for includes of partials.
import type { Request, Response } from 'express';
import ejs from 'ejs';
import { readFileSync } from 'node:fs';
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

/** The names partials take from their include (`include('/partials/build-table', { builds })`). */
const PARTIAL_LOCALS = [
  'b',
  'builds',
  'empty',
  'errors',
  'evaluations',
  'jobs',
  'page',
  'returnTo',
  'section',
  'status',
];
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof let new null return super switch this throw true try typeof var void while with yield await implements interface package private protected public static arguments eval'.split(
    ' ',
  ),
);
/** The compiled template's own names (its parameters and EJS's variables), never shadowed by a local. */
const EJS_NAMES = new Set(['include', 'escapeFn', 'rethrow', 'locals']);
/** Whether a local can be declared as a variable of that name. */
function isVariableName(name: string): boolean {
  return (
    /^[A-Za-z_$][\w$]*$/.test(name) && !name.startsWith('__') && !RESERVED.has(name) && !EJS_NAMES.has(name)
  );
}

export class PageRenderer {
  private readonly compiled = new Map<string, ejs.TemplateFunction>();

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
    const data: Record<string, unknown> = { ...this.locals(req, page.title), ...page.model };
    return Promise.resolve(this.template(page.template, Object.keys(data))(data));
  }

  /**
   * The compiled template, once per page and set of locals. Compiled without EJS's default
   * `with (locals)`: the locals are declared as variables (destructuredLocals), the page's and
   * those the partials take, so a template reads them as fast as any variable (inside `with`,
   * every name a template uses, a loop's too, is first looked up on the locals: the jobset
   * page's 800 matrix cells rendered 3x slower).
   */
  private template(name: string, keys: readonly string[]): ejs.TemplateFunction {
    const names = [...new Set([...keys, ...PARTIAL_LOCALS])].filter(isVariableName);
    const key = `${name}\u0000${names.join(',')}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const filename = join(this.templatesDir, 'pages', `${name}.ejs`);
    const compiled = ejs.compile(readFileSync(filename, 'utf8'), {
      filename,
      root: this.templatesDir,
      // Partials are compiled once (by EJS, with the first includer's names) when cached.
      cache: this.cache,
      async: false,
      _with: false,
      destructuredLocals: names,
    });
    if (this.cache) this.compiled.set(key, compiled);
    return compiled;
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
