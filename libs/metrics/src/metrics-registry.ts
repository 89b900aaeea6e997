// The metrics registry factory: one prom-client registry per process, created by the composition root.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;
}

export interface MetricsRegistryOptions {
  /** The daemon's name, added as the `service` label of every metric. */
  readonly service: string;
  /** Node.js process metrics (heap, event loop lag, ...). */
  readonly processMetrics?: boolean;
}

export function createMetricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'fc_' });
  return registry;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: new Counter({
      name: 'fc_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'fc_http_request_duration_seconds',
      help: 'HTTP request duration, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type { Registry } from 'prom-client';

export interface BinaryCacheMetrics {
  /** narinfo requests: `hit` (a valid path answered) or `miss` (404). */
  readonly narinfoRequests: Counter<'result'>;
  /** NAR bytes sent to clients. */
  readonly narBytes: Counter;
}

export function createBinaryCacheMetrics(registry: Registry): BinaryCacheMetrics {
  const narinfoRequests = new Counter({
    name: 'fc_binary_cache_narinfo_requests_total',
    help: 'narinfo requests to the binary cache, by result (hit: the path is valid; miss: 404)',
    labelNames: ['result'],
    registers: [registry],
  });
  // Both series exist from the start, so a rate over them is defined before the first miss.
  narinfoRequests.inc({ result: 'hit' }, 0);
  narinfoRequests.inc({ result: 'miss' }, 0);
  return {
    narinfoRequests,
    narBytes: new Counter({
      name: 'fc_binary_cache_nar_bytes_total',
      help: 'NAR bytes sent by the binary cache',
      registers: [registry],
    }),
  };
}
