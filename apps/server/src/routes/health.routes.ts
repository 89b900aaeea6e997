import { Router } from 'express';
import type { Pool } from '@fc/db';

/** GET /health: 200 when the database answers, 503 (with the reason) when it does not. */
export function healthRoutes(pool: Pool): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    try {
      await pool.query('SELECT 1');
      res.json({ status: 'ok', database: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'unreachable' });
    }
  });
  return router;
}
