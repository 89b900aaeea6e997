// JSON bodies up to server.max_body_size (413 past it); the raw bytes are kept for webhook HMACs.
import express, { type Request, type RequestHandler } from 'express';

const RAW_BODY = Symbol('fc.rawBody');

export function jsonBody(maxBytes: number): RequestHandler {
  return express.json({
    limit: maxBytes,
    verify: (req, _res, buf) => {
      (req as unknown as Record<symbol, Buffer>)[RAW_BODY] = buf;
    },
  });
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
