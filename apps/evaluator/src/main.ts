// fc-evaluator composition root.
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitStatusesConfigured, loadConfig } from '@fc/config';
import {
  isConnectionError,
  openDatabase,
  passwordProbeWarning,
  probePasswordRequired,
  watchDatabaseReachability,
} from '@fc/db';
import { createForgeClient, forgeAccounts, forgeSettingsOf } from '@fc/forges';
import { createLogger, runDaemon } from '@fc/logging';
import { createEvaluatorMetrics, createMetricsRegistry, startMetricsServer } from '@fc/metrics';
import { readSandboxVerdict, sandboxStartLine, selectEvaluator } from '@fc/nix';
import { forgeAuthorWriteAccess, PullRequestService } from '@fc/pull-requests';
import { createBoss, ensureQueues, superviseAfterOutages } from '@fc/queue';
import { startEvaluator } from './evaluator';
import { configuredProtectedPaths } from './inputs/protected-paths';

const migrationsDir =
  process.env['FC_MIGRATIONS_DIR'] ?? fileURLToPath(new URL('../../../db/migrations', import.meta.url));
// How often a running evaluation refreshes its heartbeat (ms); tests shorten it.
const heartbeatMs = Number(process.env['FC_EVALUATOR_HEARTBEAT_MS'] ?? 5000);
/** seconds between pg-boss maintenance passes (pg-boss's own default). */
const SUPERVISE_SECONDS = 60;

runDaemon('fc-evaluator', async () => {
  const config = loadConfig({ env: process.env });
  const logger = createLogger({ service: 'fc-evaluator', level: config.logs.level });
  const pool = await openDatabase(config.database, { applicationName: 'fc-evaluator', migrationsDir });
  const boss = createBoss({ url: config.database.url, instanceName: 'fc-evaluator' });
  // An outage is logged once (the reachability watch), not on every pg-boss poll that fails during it.
  boss.on('error', (e: Error) =>
    logger.log(isConnectionError(e) ? 'debug' : 'error', 'pg-boss error', { error: e.message }),
  );
  await boss.start();
  const reachability = watchDatabaseReachability(pool, logger);
  // pg-boss's maintenance for every queue (the queue runner's too), never right after an outage.
  const supervision = superviseAfterOutages(boss, reachability, {
    intervalSeconds: SUPERVISE_SECONDS,
    log: logger.child({ component: 'queue-supervision' }),
  });
  await ensureQueues(boss, {
    buildExpireSeconds: config.queue_runner.build_timeout + 600,
    buildRetryLimit: config.queue_runner.max_retries,
  });
  // nix-eval-jobs when it is on PATH, else the built-in walker.
  const evaluator = selectEvaluator(process.env['PATH'] ?? '');
  // Said at every start, loudly when a build could read FC's files (README, "Security").
  const sandbox = await readSandboxVerdict();
  const sandboxLine = sandboxStartLine(sandbox);
  logger.log(sandboxLine.level, sandboxLine.message, { nixSandbox: sandbox.settings });
  // A fixed-output build has this machine's network: it must not find the database open to it.
  const openDatabaseWarning = passwordProbeWarning(await probePasswordRequired(config.database.url));
  if (openDatabaseWarning !== undefined) logger.warn(openDatabaseWarning);
  const registry = createMetricsRegistry({ service: 'fc-evaluator' });
  const metrics = createEvaluatorMetrics(registry);
  // Before any work is taken, so a port already in use stops the daemon at once.
  const { metrics_host: metricsHost, metrics_port: metricsPort } = config.evaluator;
  const metricsServer =
    metricsPort === 0
      ? undefined
      : await startMetricsServer({ registry, host: metricsHost, port: metricsPort, logger });
  // The forges' APIs: githubpulls/giteapulls inputs, and the pass over projects' open pull requests.
  const forgeClient = createForgeClient({
    timeoutMs: config.notifications.timeout * 1000,
    userAgent: 'fc-evaluator',
  });
  const accounts = forgeAccounts(forgeSettingsOf(config.notifications));
  const pullRequestPoll =
    config.evaluator.pull_request_poll_interval === 0
      ? undefined
      : {
          intervalSeconds: config.evaluator.pull_request_poll_interval,
          pullRequests: new PullRequestService(pool, boss, forgeAuthorWriteAccess(accounts, forgeClient)),
          client: forgeClient,
          accounts,
        };
  const running = await startEvaluator({
    pool,
    boss,
    logger,
    pollInterval: config.evaluator.poll_interval,
    maxConcurrentEvals: config.evaluator.max_concurrent_evals,
    metrics,
    pullRequestPoll,
    databaseAnsweringForMs: () => reachability.answeringForMs(),
    settings: {
      workDir: config.evaluator.work_dir,
      gitTimeout: config.evaluator.git_timeout,
      nixTimeout: config.evaluator.nix_timeout,
      restrictEval: config.evaluator.restrict_eval,
      allowIfd: config.evaluator.allow_ifd,
      dynamicRunCommand: config.notifications.dynamic_run_command,
      heartbeatMs,
      evaluator,
      pendingStatuses: commitStatusesConfigured(config.notifications),
      forges: { client: forgeClient, accounts },
      // FC's own files are never a jobset's source (README, "Security").
      protectedPaths: configuredProtectedPaths(config, [
        resolve('fc.toml'),
        ...(process.env['FC_CONFIG_FILE'] ? [resolve(process.env['FC_CONFIG_FILE'])] : []),
      ]),
      home: homedir(),
    },
  });
  logger.info('ready', {
    metrics: metricsServer ? `http://${metricsHost}:${metricsServer.port}/metrics` : 'off',
    evaluator: evaluator.kind === 'builtin' ? 'built-in walker (nix-instantiate)' : evaluator.path,
    workDir: config.evaluator.work_dir,
    maxConcurrentEvals: config.evaluator.max_concurrent_evals,
  });
  return {
    logger,
    daemon: {
      stop: async () => {
        await running.stop();
        await metricsServer?.close();
        await supervision.stop();
        reachability.stop();
        await boss.stop({ graceful: true, timeout: 30_000 });
        await pool.end();
      },
    },
  };
});
