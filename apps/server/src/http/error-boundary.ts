// The server's one error boundary: domain errors keep their status; anything else is logged with the
// request id and answered with a generic 500. No stack traces in responses, ever.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError, RateLimitedError } from '@fc/core';
import { isConnectionError, PgErrorCode, pgErrorCode } from '@fc/db';
import type { Logger } from '@fc/logging';

const STATUS_OF_CODE: Record<string, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

/** The database cannot serve requests: unreachable, shutting down, dropped, or the pool closed. */
function isDatabaseDown(err: unknown): boolean {
  if (isConnectionError(err)) return true;
  if (pgErrorCode(err) === PgErrorCode.InvalidCatalogName) return true;
  return err instanceof Error && /Cannot use a pool after calling end on the pool/.test(err.message);
}

export function notFoundHandler(): RequestHandler {
  return (req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.path}` } });
  };
}

export function errorBoundary(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId = String(res.locals['requestId'] ?? '');
    if (res.headersSent) {
      // Already answered (e.g. by the request timeout): nothing more can be said to this client.
      logger.warn('error after the response was sent', {
        requestId,
        path: req.path,
        error: (err as Error).message,
      });
      return;
    }
    if (err instanceof DomainError) {
      const status = STATUS_OF_CODE[err.code] ?? 400;
      if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(status).json({
        error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') {
      res
        .status(400)
        .json({ error: { code: 'invalid_json', message: 'the request body is not valid JSON' } });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({
        error: { code: 'payload_too_large', message: 'the request body exceeds server.max_body_size' },
      });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: 'invalid_request', message: e.message ?? 'bad request' } });
      return;
    }
    if (isDatabaseDown(err)) {
      logger.error('database unavailable', { requestId, path: req.path, error: e.message });
      res.status(503).json({ error: { code: 'unavailable', message: 'the database is unavailable' } });
      return;
    }
    logger.error('unhandled error', {
      requestId,
      method: req.method,
      path: req.path,
      error: e.message,
      stack: (err as Error).stack,
    });
    res
      .status(500)
      .json({ error: { code: 'internal', message: 'internal server error', details: { requestId } } });
  };
}
