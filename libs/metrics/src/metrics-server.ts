// A bare HTTP endpoint for a daemon without a web server of its own (fc-evaluator, fc-queue-runner):
// GET /metrics answers the registry in Prometheus text format; anything else is 404.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { metricsText } from './exposition';

export interface MetricsServerOptions {
  readonly registry: Registry;
  readonly host: string;
  /** 0 picks a free port (see the returned `port`). */
  readonly port: number;
  /** Told about a scrape that failed (a gauge's read threw); the scraper gets a 500. */
  readonly logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

export interface MetricsServer {
  /** The port it listens on. */
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    metricsText(o.registry).then(
      (text) => {
        res.writeHead(200, { 'content-type': o.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (e: unknown) => {
        o.logger?.warn('metrics scrape failed', { error: e instanceof Error ? e.message : String(e) });
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  await listen(server, o.host, o.port);
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(new Error(`metrics endpoint ${host}:${port}: ${e.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
