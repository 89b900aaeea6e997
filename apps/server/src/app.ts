// Builds the Express application from its dependencies; main.ts owns their creation.
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import type { FcConfig } from '@fc/config';
import type { Pool } from '@fc/db';
import type { Logger } from '@fc/logging';
import { errorBoundary, notFoundHandler } from './http/error-boundary';
import { healthRoutes } from './routes/health.routes';

export interface AppDeps {
  readonly config: FcConfig;
  readonly pool: Pool;
  readonly logger: Logger;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    res.locals['requestId'] = req.get('x-request-id') ?? randomUUID();
    res.setHeader('X-Request-Id', String(res.locals['requestId']));
    next();
  });
  app.use(express.json({ limit: deps.config.server.max_body_size }));
  app.use(healthRoutes(deps.pool));
  app.use(notFoundHandler());
  app.use(errorBoundary(deps.logger));
  return app;
}
