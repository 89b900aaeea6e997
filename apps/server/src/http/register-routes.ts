// Turns the route table into Express handlers: authorize, parse, handle, reply.
import { Router, type Request, type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { principalOf } from '../auth/principal';
import type { ApiRoute, Reply } from './api-route';
import { authorize } from './authorize';
import { parseInput } from './validation';

export function expressPath(openApiPath: string): string {
  return openApiPath.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

function paramCount(route: ApiRoute): number {
  return (route.path.match(/\{/g) ?? []).length;
}

async function send(res: Response, reply: Reply): Promise<void> {
  if ('json' in reply) {
    res.status(reply.status).json(reply.json);
  } else if ('text' in reply) {
    res.status(reply.status).type(reply.contentType);
    if (reply.headers) res.set(reply.headers);
    res.end(reply.text);
  } else if ('stream' in reply) {
    res.status(reply.status).type(reply.contentType);
    if (reply.headers) res.set(reply.headers);
    try {
      await pipeline(reply.stream, res);
    } catch (e) {
      // The client went away mid-stream (a closed log follower): nothing is left to answer.
      if ((e as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE' && res.destroyed) return;
      throw e;
    }
  } else {
    res.status(reply.status).end();
  }
}

export function registerRoutes(routes: readonly ApiRoute[]): Router {
  const router = Router();
  // Static segments before parameters: /builds/stats must not be taken for /builds/{id}.
  const ordered = [...routes].sort((a, b) => paramCount(a) - paramCount(b));
  for (const route of ordered) {
    router[route.method](expressPath(route.path), async (req: Request, res: Response) => {
      const principal = principalOf(req);
      authorize(route.access, principal);
      const params = parseInput(route.params, req.params, 'path');
      const query = parseInput(route.query, req.query, 'query');
      const body = parseInput(route.body, req.body, 'body');
      const reply = await route.handle({ params, query, body, principal, req, res });
      await send(res, reply);
    });
  }
  return router;
}
