// Health, metrics and the OpenAPI document.
import { z } from 'zod';
import type { Pool } from '@fc/db';
import { metricsText, type Registry } from '@fc/metrics';
import { Readable } from 'node:stream';
import { defineRoute, json, type ApiRoute } from '../http/api-route';

export function metaRoutes(deps: { pool: Pool; registry: Registry; openApi: () => unknown }): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      access: 'public',
      tag: 'meta',
      summary: 'Health: 200 when the database answers, 503 when it does not',
      responses: {
        200: {
          description: 'Healthy',
          schema: z.object({ status: z.literal('ok'), database: z.literal('ok') }),
        },
      },
      handle: async () => {
        try {
          await deps.pool.query('SELECT 1');
          return json(200, { status: 'ok', database: 'ok' });
        } catch {
          return json(503, { status: 'unavailable', database: 'unreachable' });
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      access: 'public',
      tag: 'meta',
      summary: 'Prometheus metrics',
      responses: {
        200: {
          description: 'Metrics in the Prometheus text format',
          contentType: 'text/plain',
          schema: z.string(),
        },
      },
      handle: async () => ({
        status: 200,
        stream: Readable.from([await metricsText(deps.registry)]),
        contentType: deps.registry.contentType,
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/openapi.json',
      access: 'public',
      tag: 'meta',
      summary: 'This OpenAPI 3.1 document',
      responses: {
        200: { description: 'The document', schema: z.object({ openapi: z.string() }).passthrough() },
      },
      handle: () => Promise.resolve(json(200, deps.openApi())),
    }),
  ];
}
