// server.request_timeout: a request not answered in time gets a 503 (and the work behind it is
// abandoned as far as the client is concerned).
import type { RequestHandler } from 'express';

export function requestTimeout(seconds: number): RequestHandler {
  return (req, res, next) => {
    if (seconds <= 0) {
      next();
      return;
    }
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      res.status(503).json({
        error: {
          code: 'timeout',
          message: `the request took longer than server.request_timeout (${seconds} s)`,
        },
      });
      // A body still arriving is not read any further.
      req.socket.destroySoon?.();
    }, seconds * 1000);
    timer.unref();
    res.on('finish', () => clearTimeout(timer));
    res.on('close', () => clearTimeout(timer));
    next();
  };
}
