// Stopping the HTTP server without resetting anyone: the listener closes at once (new connections
// are refused), requests in flight are answered with `Connection: close` (so no client sends another
// request on a connection about to go), idle keep-alive connections stay open a moment (a client
// may be sending its next request on one right now: it is answered, with `Connection: close`) and
// are closed after IDLE_GRACE_MS, and whatever is still open after the deadline (a live log stream,
// a stuck client) is cut.
import type { ServerResponse, Server } from 'node:http';

export const DRAIN_DEADLINE_MS = 10_000;
/** How long an idle keep-alive connection may still bring a request once stopping began. */
export const IDLE_GRACE_MS = 1_000;

/** Call once at start, before the first request. */
export function gracefulClose(server: Server): { close(deadlineMs?: number): Promise<void> } {
  let closing = false;
  const inFlight = new Set<ServerResponse>();
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  return {
    close: (deadlineMs = DRAIN_DEADLINE_MS) => {
      closing = true;
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      return new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), deadlineMs);
        const idle = setTimeout(() => server.closeIdleConnections(), Math.min(IDLE_GRACE_MS, deadlineMs));
        // http.Server's close() also closes idle connections at once (Node >= 19): the moment a client
        // reuses one for its next request, it would be reset. Held off until the grace ends.
        const closeIdle = server.closeIdleConnections.bind(server);
        server.closeIdleConnections = () => undefined;
        try {
          server.close(() => {
            clearTimeout(cut);
            clearTimeout(idle);
            resolve();
          });
        } finally {
          server.closeIdleConnections = closeIdle;
        }
      });
    },
  };
}
