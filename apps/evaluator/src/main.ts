// fc-evaluator composition root.
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@fc/config';
import { openDatabase } from '@fc/db';
import { createLogger, runDaemon } from '@fc/logging';
import { createBoss, ensureQueues } from '@fc/queue';

const migrationsDir =
  process.env['FC_MIGRATIONS_DIR'] ?? fileURLToPath(new URL('../../../db/migrations', import.meta.url));

runDaemon('fc-evaluator', async () => {
  const config = loadConfig({ env: process.env });
  const logger = createLogger({ service: 'fc-evaluator', level: config.logs.level });
  const pool = await openDatabase(config.database, { applicationName: 'fc-evaluator', migrationsDir });
  const boss = createBoss({ url: config.database.url, instanceName: 'fc-evaluator' });
  boss.on('error', (e: Error) => logger.error('pg-boss error', { error: e.message }));
  await boss.start();
  await ensureQueues(boss, {
    buildExpireSeconds: config.queue_runner.build_timeout + 600,
    buildRetryLimit: config.queue_runner.max_retries,
  });
  logger.info('ready');
  return {
    logger,
    daemon: {
      stop: async () => {
        await boss.stop({ graceful: true, timeout: 30_000 });
        await pool.end();
      },
    },
  };
});
