// fc-server composition root: `fc-server` serves the API; `fc-server create-api-key` bootstraps a key.
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { ConfigError, loadConfig, type FcConfig } from '@fc/config';
import { readSecretKeyFile, SigningKeyError, type SigningKey } from '@fc/nix';
import { isConnectionError, openDatabase, watchDatabaseReachability } from '@fc/db';
import { createLogger, runDaemon } from '@fc/logging';
import { createBoss, ensureQueues } from '@fc/queue';
import { createMetricsRegistry } from '@fc/metrics';
import { createApp } from './app';
import { gracefulClose } from './http/graceful-close';
import { createApiKeyCommand, parseCreateApiKeyArgs, UsageError } from './cli/create-api-key';

const migrationsDir =
  process.env['FC_MIGRATIONS_DIR'] ?? fileURLToPath(new URL('../../../db/migrations', import.meta.url));

/** cache.secret_key_file, read and checked once at start; a bad file is a configuration error. */
async function readCacheSigningKey(config: FcConfig): Promise<SigningKey | undefined> {
  const file = config.cache.secret_key_file;
  if (file === undefined) return undefined;
  try {
    return await readSecretKeyFile(file);
  } catch (e) {
    if (!(e instanceof SigningKeyError)) throw e;
    throw new ConfigError([{ key: 'cache.secret_key_file', source: undefined, message: e.message }]);
  }
}

function serve(): void {
  runDaemon('fc-server', async () => {
    const config = loadConfig({ env: process.env });
    const cacheSigningKey = await readCacheSigningKey(config);
    const logger = createLogger({ service: 'fc-server', level: config.logs.level });
    // No JIT compilation: fc-server's statements are short, and PostgreSQL compiled one whenever its
    // estimate was large (an evaluation's per-status counts, estimating a nixpkgs evaluation's
    // 250,000 reused builds for each of ten small ones: 50-400 ms of compiling, for 5 ms of work).
    const pool = await openDatabase(config.database, {
      applicationName: 'fc-server',
      migrationsDir,
      settings: { jit: 'off' },
    });
    // The server only sends jobs: pg-boss maintenance runs in the workers.
    const boss = createBoss({
      url: config.database.url,
      maxConnections: 2,
      supervise: false,
      instanceName: 'fc-server',
    });
    // An outage is logged once (the reachability watch), not on every pg-boss poll that fails during it.
    boss.on('error', (e: Error) =>
      logger.log(isConnectionError(e) ? 'debug' : 'error', 'pg-boss error', { error: e.message }),
    );
    await boss.start();
    const reachability = watchDatabaseReachability(pool, logger);
    await ensureQueues(boss, {
      buildExpireSeconds: config.queue_runner.build_timeout + 600,
      buildRetryLimit: config.queue_runner.max_retries,
    });
    const registry = createMetricsRegistry({ service: 'fc-server' });
    const server = createApp({ config, pool, boss, logger, registry, cacheSigningKey });
    if (config.cache.enabled) {
      logger.info('binary cache at /nix-cache/', {
        signed: cacheSigningKey ? `by ${cacheSigningKey.publicKey}` : 'no (cache.secret_key_file is not set)',
      });
    }
    const http = server.app.listen(config.server.port, config.server.host);
    const drain = gracefulClose(http);
    await once(http, 'listening');
    // Slow clients: headers and body must arrive within the request timeout too.
    if (config.server.request_timeout > 0) http.requestTimeout = config.server.request_timeout * 1000;
    const address = http.address();
    const port = typeof address === 'object' && address ? address.port : config.server.port;
    logger.info('listening', { host: config.server.host, port, url: `http://${config.server.host}:${port}` });
    return {
      logger,
      daemon: {
        stop: async () => {
          // In-flight requests are answered (within DRAIN_DEADLINE_MS) before the pool closes.
          await drain.close();
          server.close();
          reachability.stop();
          await boss.stop({ graceful: false, close: true });
          await pool.end();
        },
      },
    };
  });
}

async function createApiKey(args: readonly string[]): Promise<void> {
  let parsed: { name: string; role: string };
  try {
    parsed = parseCreateApiKeyArgs(args);
  } catch (e) {
    process.stderr.write(`fc-server: ${(e as Error).message}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
    return;
  }
  try {
    const config = loadConfig({ env: process.env });
    const pool = await openDatabase(config.database, {
      applicationName: 'fc-server create-api-key',
      migrationsDir,
      maxConnections: 1,
    });
    try {
      process.stdout.write(`${await createApiKeyCommand(pool, parsed)}\n`);
    } finally {
      await pool.end();
    }
  } catch (e) {
    process.stderr.write(`fc-server: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case undefined:
  case 'serve':
    serve();
    break;
  case 'create-api-key':
    await createApiKey(rest);
    break;
  default:
    process.stderr.write(
      `fc-server: unknown command "${command}"\nusage: fc-server [serve] | fc-server create-api-key --name <name> --role <role>\n`,
    );
    process.exitCode = 2;
}
