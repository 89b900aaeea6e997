import { createServer } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { Counter } from 'prom-client';
import { createMetricsRegistry } from './metrics-registry';
import { startMetricsServer } from './metrics-server';

describe('startMetricsServer', () => {
  it('answers GET /metrics with the registry in Prometheus text, anything else 404', async () => {
    const registry = createMetricsRegistry({ service: 't', processMetrics: false });
    new Counter({ name: 'fc_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    const server = await startMetricsServer({ registry, host: '127.0.0.1', port: 0 });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const r = await fetch(`${base}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe(registry.contentType);
      expect(await r.text()).toMatch(/^fc_test_total\{service="t"\} 3$/m);
      expect((await fetch(`${base}/`)).status).toBe(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
    await expect(fetch(`http://127.0.0.1:${server.port}/metrics`)).rejects.toThrow();
  });

  it('answers 500 when a metric cannot be read, and tells the logger', async () => {
    const registry = createMetricsRegistry({ service: 't', processMetrics: false });
    const { Gauge } = await import('prom-client');
    new Gauge({
      name: 'fc_broken',
      help: 'fails to collect',
      registers: [registry],
      collect() {
        throw new Error('database down');
      },
    });
    const warnings: unknown[] = [];
    const server = await startMetricsServer({
      registry,
      host: '127.0.0.1',
      port: 0,
      logger: { warn: (message, fields) => warnings.push({ message, fields }) },
    });
    try {
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(500);
      expect(warnings).toEqual([{ message: 'metrics scrape failed', fields: { error: 'database down' } }]);
    } finally {
      await server.close();
    }
  });

  it('fails naming the address when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const registry = createMetricsRegistry({ service: 't', processMetrics: false });
      await expect(startMetricsServer({ registry, host: '127.0.0.1', port })).rejects.toThrow(
        `metrics endpoint 127.0.0.1:${port}: listen EADDRINUSE`,
      );
    } finally {
      taken.close();
    }
  });
});
