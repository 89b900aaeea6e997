// CORS: server.cors_permissive answers any origin (without credentials); otherwise only the origins
// in server.allowed_origins get CORS headers (with credentials, so the dashboard's session works).
import type { RequestHandler } from 'express';

export interface CorsOptions {
  readonly permissive: boolean;
  readonly allowedOrigins: readonly string[];
}

const METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
const HEADERS = 'Authorization, Content-Type, X-Request-Id, X-CSRF-Token';
/** What a page on another origin may read: the request id, a rate limit's wait, and the log API's headers. */
const EXPOSED = 'X-Request-Id, Retry-After, X-Log-Next-Offset, X-Log-Complete, X-Log-Build, X-Log-Step';

export function cors(options: CorsOptions): RequestHandler {
  const allowed = new Set(options.allowedOrigins);
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    let granted = false;
    if (origin && options.permissive) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      granted = true;
    } else if (origin && allowed.has(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      granted = true;
    }
    if (granted) res.setHeader('Access-Control-Expose-Headers', EXPOSED);
    if (req.method === 'OPTIONS' && req.get('access-control-request-method')) {
      if (granted) {
        res.setHeader('Access-Control-Allow-Methods', METHODS);
        res.setHeader('Access-Control-Allow-Headers', HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}
