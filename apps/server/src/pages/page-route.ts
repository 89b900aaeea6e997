// The page table's entry type, the dashboard's counterpart of api-route.ts: one declaration gives
// the Express handler, its access rule and its input parsing. A GET page answers with a view (one
// template and its view model); a form action answers with a redirect and a flash message, so a
// reload never repeats it.
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Permission } from '@fc/auth';
import type { Principal } from '../auth/principal';
import type { FlashMessage } from '../auth/session-data';
import type { Access } from '../http/authorize';

export interface PageView {
  /** The template under apps/server/templates/pages, without .ejs. */
  readonly template: string;
  readonly title: string;
  readonly model: object;
  readonly status?: number;
}

export interface Redirect {
  readonly redirect: string;
  readonly flash?: FlashMessage;
}

export interface PageContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly principal: Principal | undefined;
  /** Whether the caller holds the permission (decides which forms and buttons are shown). */
  can(permission: Permission): boolean;
  readonly req: Request;
  readonly res: Response;
}

interface PageSpec {
  readonly method: 'get' | 'post';
  /** Express path: /project/:id. */
  readonly path: string;
  readonly access: Access;
}

export interface PageDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> extends PageSpec {
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /**
   * For a form action: where to send the user back with the error as a flash message when the
   * input is invalid or conflicts (other errors get the error page).
   */
  readonly back?: (params: z.output<P>) => string;
  handle(ctx: PageContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<PageView | Redirect>;
}

/** A page with its types erased, as the registrar sees it. */
export interface Page extends PageSpec {
  readonly params: z.ZodType | undefined;
  readonly query: z.ZodType | undefined;
  readonly body: z.ZodType | undefined;
  readonly back: ((params: unknown) => string) | undefined;
  handle(ctx: PageContext<unknown, unknown, unknown>): Promise<PageView | Redirect>;
}

export function definePage<
  P extends z.ZodType = z.ZodObject,
  Q extends z.ZodType = z.ZodObject,
  B extends z.ZodType = z.ZodUndefined,
>(def: PageDef<P, Q, B>): Page {
  return {
    ...def,
    params: def.params,
    query: def.query,
    body: def.body,
    back: def.back ? (params) => def.back!(params as z.output<P>) : undefined,
    handle: (ctx) => def.handle(ctx as PageContext<z.output<P>, z.output<Q>, z.output<B>>),
  };
}

export function view(template: string, title: string, model: object, status?: number): PageView {
  return { template, title, model, ...(status !== undefined ? { status } : {}) };
}

export function redirect(to: string, flash?: FlashMessage): Redirect {
  return { redirect: to, ...(flash ? { flash } : {}) };
}

/** A local path to send the user to after login (never another site). */
export function safeLocalPath(path: unknown, fallback = '/'): string {
  return typeof path === 'string' && /^\/(?![/\\])/.test(path) ? path : fallback;
}
