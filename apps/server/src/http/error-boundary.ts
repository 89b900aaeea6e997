// The server's one error boundary: domain errors keep their status; anything else is logged with the
// request id and answered with a generic 500. No stack traces in responses, ever. The API answers
// JSON; a dashboard page (or a browser asking for HTML outside /api/) gets the HTML error page, and
// a page that needs a login sends the browser to /login.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { DomainError, NotFoundError, RateLimitedError } from '@fc/core';
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

interface ErrorAnswer {
  readonly status: number;
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** Renders the HTML error page (the dashboard's, given by createApp). */
export interface ErrorPages {
  render(
    req: Request,
    res: Response,
    error: { status: number; message: string; requestId: string },
  ): Promise<void>;
}

/** The database cannot serve requests: unreachable, shutting down, dropped, or the pool closed. */
function isDatabaseDown(err: unknown): boolean {
  if (isConnectionError(err)) return true;
  if (pgErrorCode(err) === PgErrorCode.InvalidCatalogName) return true;
  return err instanceof Error && /Cannot use a pool after calling end on the pool/.test(err.message);
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => {
    next(new NotFoundError(`no route for ${req.method} ${req.path}`));
  };
}

/** Marks the request as a dashboard page: its errors are answered with the HTML error page. */
export function markPageRequest(res: Response): void {
  res.locals['fcPage'] = true;
}

function wantsHtml(req: Request, res: Response): boolean {
  if (res.locals['fcPage'] === true) return true;
  if (req.path.startsWith('/api/') || req.path.startsWith('/nix-cache')) return false;
  return req.accepts(['json', 'html']) === 'html';
}

/** The status and body of an error; logs the ones that are the server's fault. */
function classify(logger: Logger, err: unknown, req: Request, requestId: string): ErrorAnswer {
  if (err instanceof DomainError) {
    return {
      status: STATUS_OF_CODE[err.code] ?? 400,
      error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
    };
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') {
    return { status: 400, error: { code: 'invalid_json', message: 'the request body is not valid JSON' } };
  }
  if (e.type === 'entity.too.large') {
    return {
      status: 413,
      error: { code: 'payload_too_large', message: 'the request body exceeds server.max_body_size' },
    };
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, error: { code: 'invalid_request', message: e.message ?? 'bad request' } };
  }
  if (isDatabaseDown(err)) {
    logger.error('database unavailable', { requestId, path: req.path, error: e.message });
    return { status: 503, error: { code: 'unavailable', message: 'the database is unavailable' } };
  }
  logger.error('unhandled error', {
    requestId,
    method: req.method,
    path: req.path,
    error: e.message,
    stack: (err as Error).stack,
  });
  return {
    status: 500,
    error: { code: 'internal', message: 'internal server error', details: { requestId } },
  };
}

export function errorBoundary(logger: Logger, pages?: ErrorPages): ErrorRequestHandler {
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
    const answer = classify(logger, err, req, requestId);
    if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    if (!pages || !wantsHtml(req, res)) {
      res.status(answer.status).json({ error: answer.error });
      return;
    }
    if (answer.status === 401 && req.method === 'GET') {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    pages
      .render(req, res, { status: answer.status, message: answer.error.message, requestId })
      .catch((e: unknown) => {
        logger.error('error page failed', { requestId, error: (e as Error).message });
        if (!res.headersSent) res.status(answer.status).type('text').send(answer.error.message);
      });
  };
}
