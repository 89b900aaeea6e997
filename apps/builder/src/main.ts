// fc-queue-runner composition root.
import { fileURLToPath } from 'node:url';
import { ConfigError, commitStatusesConfigured, loadConfig, type FcConfig } from '@fc/config';
import {
  isConnectionError,
  openDatabase,
  passwordProbeWarning,
  probePasswordRequired,
  watchDatabaseReachability,
} from '@fc/db';
import { createLogger, runDaemon } from '@fc/logging';
import { createBuilderMetrics, createMetricsRegistry, startMetricsServer } from '@fc/metrics';
import {
  readLocalMachine,
  readSandboxVerdict,
  readSecretKeyFile,
  sandboxStartLine,
  SigningKeyError,
  configuredSubstituters,
} from '@fc/nix';
import { createBoss, ensureQueues, superviseAfterOutages } from '@fc/queue';
import { BuildMachines } from './build-machines';
import { BuildRunner } from './build-runner';
import { startBuildWorker } from './build-worker';
import { startNotificationWorker } from './notifications/notification-worker';
import { runnerPoolSize } from './runner-pool-size';

const migrationsDir =
  process.env['FC_MIGRATIONS_DIR'] ?? fileURLToPath(new URL('../../../db/migrations', import.meta.url));

/** signing.key_file when signing.enabled, checked once at start: a bad file is a configuration error. */
async function signingKeyFile(config: FcConfig): Promise<string | undefined> {
  const file = config.signing.enabled ? config.signing.key_file : undefined;
  if (file === undefined) return undefined;
  try {
    await readSecretKeyFile(file);
    return file;
  } catch (e) {
    if (!(e instanceof SigningKeyError)) throw e;
    throw new ConfigError([{ key: 'signing.key_file', source: undefined, message: e.message }]);
  }
}

runDaemon('fc-queue-runner', async () => {
  const config = loadConfig({ env: process.env });
  const signWith = await signingKeyFile(config);
  const logger = createLogger({ service: 'fc-queue-runner', level: config.logs.level });
  const qr = config.queue_runner;
  const maxConnections = runnerPoolSize(config.database.max_connections, qr.workers);
  if (maxConnections > config.database.max_connections) {
    logger.warn('database.max_connections is too small for queue_runner.workers; the pool may open more', {
      configured: config.database.max_connections,
      workers: qr.workers,
      maxConnections,
    });
  }
  const pool = await openDatabase(config.database, {
    applicationName: 'fc-queue-runner',
    migrationsDir,
    maxConnections,
  });
  const boss = createBoss({
    url: config.database.url,
    instanceName: 'fc-queue-runner',
    useListenNotify: true,
    superviseIntervalSeconds: qr.poll_interval,
  });
  // An outage is logged once (the reachability watch), not on every pg-boss poll that fails during it.
  boss.on('error', (e: Error) =>
    logger.log(isConnectionError(e) ? 'debug' : 'error', 'pg-boss error', { error: e.message }),
  );
  await boss.start();
  const reachability = watchDatabaseReachability(pool, logger);
  // Lost heartbeats (a runner killed mid-build) are noticed on this beat, but never right after an
  // outage (README, "Security").
  const supervision = superviseAfterOutages(boss, reachability, {
    intervalSeconds: qr.poll_interval,
    log: logger.child({ component: 'queue-supervision' }),
  });
  await ensureQueues(boss, { buildExpireSeconds: qr.build_timeout + 600, buildRetryLimit: qr.max_retries });
  const local = await readLocalMachine();
  // Said at every start, loudly when a build could read FC's files (README, "Security").
  const sandbox = await readSandboxVerdict();
  const sandboxLine = sandboxStartLine(sandbox);
  logger.log(sandboxLine.level, sandboxLine.message, { nixSandbox: sandbox.settings });
  // A fixed-output build has this machine's network: it must not find the database open to it.
  const openDatabaseWarning = passwordProbeWarning(await probePasswordRequired(config.database.url));
  if (openDatabaseWarning !== undefined) logger.warn(openDatabaseWarning);
  if (signWith) logger.info("signing each build's outputs in the store", { keyFile: signWith });
  const registry = createMetricsRegistry({ service: 'fc-queue-runner' });
  const metrics = createBuilderMetrics(registry);
  // Before any work is taken, so a port already in use stops the daemon at once.
  const metricsServer =
    qr.metrics_port === 0
      ? undefined
      : await startMetricsServer({ registry, host: qr.metrics_host, port: qr.metrics_port, logger });
  const runner = new BuildRunner({
    pool,
    boss,
    logger,
    machines: new BuildMachines(pool, local, qr.work_dir),
    compressLogs: config.logs.compress,
    settings: {
      buildTimeout: qr.build_timeout,
      maxOutputSize: qr.max_output_size,
      maxLogSize: config.logs.max_log_size,
      unsupportedTimeout: qr.unsupported_timeout,
      recheckSeconds: qr.poll_interval,
      gcRootsDir: config.gc.enabled ? config.gc.gc_roots_dir : undefined,
      signingKeyFile: signWith,
      pendingStatuses: commitStatusesConfigured(config.notifications),
      substitutes: (await configuredSubstituters()).length > 0,
      serverUrl: config.server.base_url,
    },
    metrics,
  });
  // Whatever ends this process, no nix-store (detached in its own group) may outlive it.
  process.on('exit', () => runner.killAllNow());
  const worker = await startBuildWorker({ pool, boss, logger, config, runner });
  // Reports each finished build on the configured notifications.* channels (README, "Notifications").
  const notifications = await startNotificationWorker({ pool, boss, logger, config, metrics });
  logger.info('ready', {
    workers: qr.workers,
    systems: local.systems,
    metrics: metricsServer ? `http://${qr.metrics_host}:${metricsServer.port}/metrics` : 'off',
  });
  return {
    logger,
    daemon: {
      stop: async () => {
        await worker.stop();
        await notifications.stop();
        await metricsServer?.close();
        await supervision.stop();
        reachability.stop();
        await boss.stop({ graceful: true, timeout: 30_000 });
        await pool.end();
      },
    },
  };
});
