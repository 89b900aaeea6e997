// Stopping the HTTP server without resetting anyone: the listener closes at once (new connections
// are refused), idle keep-alive connections are closed, requests in flight are answered with
// `Connection: close` (so no client sends another request on a connection about to go), and
// whatever is still open after the deadline (a live log stream, a stuck client) is cut.
import type { ServerResponse, Server } from 'node:http';

export const DRAIN_DEADLINE_MS = 10_000;

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
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
