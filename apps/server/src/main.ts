// fc-server composition root.
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { loadConfig } from '@fc/config';
import { openDatabase } from '@fc/db';
import { createLogger, runDaemon } from '@fc/logging';
import { createApp } from './app';

const migrationsDir =
  process.env['FC_MIGRATIONS_DIR'] ?? fileURLToPath(new URL('../../../db/migrations', import.meta.url));

runDaemon('fc-server', async () => {
  const config = loadConfig({ env: process.env });
  const logger = createLogger({ service: 'fc-server', level: config.logs.level });
  const pool = await openDatabase(config.database, { applicationName: 'fc-server', migrationsDir });
  const app = createApp({ config, pool, logger });
  const server = app.listen(config.server.port, config.server.host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  logger.info('listening', { host: config.server.host, port, url: `http://${config.server.host}:${port}` });
  return {
    logger,
    daemon: {
      stop: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await pool.end();
      },
    },
  };
});
