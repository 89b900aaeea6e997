// JSON bodies up to server.max_body_size (413 past it); the raw bytes are kept for webhook HMACs.
import express, { type Request, type RequestHandler } from 'express';

const RAW_BODY = Symbol('fc.rawBody');

/** Forge webhooks are signed over their exact bytes, whatever their content type. */
const WEBHOOKS = '/api/v1/webhooks/';

export function jsonBody(maxBytes: number): RequestHandler {
  const keep = (req: unknown, _res: unknown, buf: Buffer) => {
    (req as Record<symbol, Buffer>)[RAW_BODY] = buf;
  };
  const json = express.json({ limit: maxBytes, verify: keep });
  // Kept raw for the webhook service, which checks the signature before it reads the body as JSON.
  const raw = express.raw({ type: () => true, limit: maxBytes, verify: keep });
  return (req, res, next) => (req.path.startsWith(WEBHOOKS) ? raw : json)(req, res, next);
}

export function rawBodyOf(req: Request): Buffer {
  return (req as unknown as Record<symbol, Buffer | undefined>)[RAW_BODY] ?? Buffer.alloc(0);
}

/** HTML form bodies (application/x-www-form-urlencoded) for the dashboard's pages, never for /api/. */
export function formBody(maxBytes: number): RequestHandler {
  const parse = express.urlencoded({ extended: false, limit: maxBytes, parameterLimit: 200 });
  return (req, res, next) => {
    if (req.path.startsWith('/api/')) {
      next();
      return;
    }
    parse(req, res, next);
  };
}
