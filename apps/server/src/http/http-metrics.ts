// Request counts and durations per route pattern (never the raw path: ids would explode the labels).
import type { RequestHandler } from 'express';
import type { HttpMetrics } from '@fc/metrics';

export function httpMetrics(metrics: HttpMetrics): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      const pattern = route ? `${req.baseUrl}${route}` : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.requests.inc({ method: req.method, route: pattern, status: String(res.statusCode) });
      metrics.duration.observe({ method: req.method, route: pattern }, seconds);
    });
    next();
  };
}
