// The route table's entry type: one declaration gives the Express handler, its access rule,
// its input validation and its OpenAPI operation.
import type { Request, Response } from 'express';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { Principal } from '../auth/principal';
import type { Access } from './authorize';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type Reply =
  | { readonly status: number; readonly json: unknown }
  | { readonly status: 204 }
  /** A small text body, written at once (no stream machinery: the binary cache's narinfo). */
  | {
      readonly status: number;
      readonly text: string;
      readonly contentType: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | {
      readonly status: number;
      readonly stream: Readable;
      readonly contentType: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly principal: Principal | undefined;
  readonly req: Request;
  readonly res: Response;
}

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Default application/json. */
  readonly contentType?: string;
}

interface RouteSpec {
  readonly method: HttpMethod;
  /** OpenAPI-style path: /api/v1/builds/{id}. */
  readonly path: string;
  readonly access: Access;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** A route of the FC README's API table served beside FC's own: names FC's own route. */
  readonly readmeRouteOf?: string;
}

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> extends RouteSpec {
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  handle(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply>;
}

/** A route with its types erased, as the registrar and the OpenAPI generator see it. */
export interface ApiRoute extends RouteSpec {
  readonly params: z.ZodType | undefined;
  readonly query: z.ZodType | undefined;
  readonly body: z.ZodType | undefined;
  handle(ctx: RouteContext<unknown, unknown, unknown>): Promise<Reply>;
}

export function defineRoute<
  P extends z.ZodType = z.ZodObject,
  Q extends z.ZodType = z.ZodObject,
  B extends z.ZodType = z.ZodUndefined,
>(def: RouteDef<P, Q, B>): ApiRoute {
  return {
    ...def,
    params: def.params,
    query: def.query,
    body: def.body,
    handle: (ctx) => def.handle(ctx as RouteContext<z.output<P>, z.output<Q>, z.output<B>>),
  };
}

/** The Content-Type of a JSON answer (as express's res.json gives it), for JSON written as text. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function json(status: number, body: unknown): Reply {
  return { status, json: body };
}
