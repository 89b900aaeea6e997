import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

/** X-Request-Id: the client's (when it looks like an id) or a new one; the error boundary logs it. */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id = given && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
    res.locals['requestId'] = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}
