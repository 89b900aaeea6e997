// Builds the Express application from its dependencies; main.ts owns their creation.
import express, { type Express, type RequestHandler } from 'express';
import { randomBytes } from 'node:crypto';
import { commitStatusesConfigured, type FcConfig } from '@fc/config';
import { queueState, type Pool } from '@fc/db';
import type { Logger } from '@fc/logging';
import { queueJobCounts, type Boss } from '@fc/queue';
import { createStorePathLookup, type SigningKey } from '@fc/nix';
import {
  createBinaryCacheMetrics,
  createHttpMetrics,
  createMetricsRegistry,
  registerInstallationCountGauges,
  registerQueueStateGauges,
  type Registry,
} from '@fc/metrics';
import { installationCounts } from './services/installation-counts';
import { errorBoundary, notFoundHandler } from './http/error-boundary';
import { requestId } from './http/request-id';
import { securityHeaders } from './http/security-headers';
import { cors } from './http/cors';
import { rateLimit } from './http/rate-limit';
import { requestTimeout } from './http/request-timeout';
import { formBody, jsonBody } from './http/body-parsing';
import { csrfProtection } from './http/csrf';
import { httpMetrics } from './http/http-metrics';
import { registerRoutes } from './http/register-routes';
import { clientConcurrency } from './http/client-concurrency';
import { buildOpenApiDocument } from './http/openapi';
import type { ApiRoute } from './http/api-route';
import { sessionMiddleware, unlessSessionlessRead } from './auth/session';
import { authenticate, createPassport } from './auth/passport-setup';
import { ProjectService } from './services/project.service';
import { EvaluationService } from './services/evaluation.service';
import { BuildLogService } from './services/build-log.service';
import { BuildService } from './services/build.service';
import { ChannelService } from './services/channel.service';
import { ApiKeyService } from './services/api-key.service';
import { UserService } from './services/user.service';
import { LoginThrottle } from './services/login-throttle';
import { SearchService } from './services/search.service';
import { RemoteBuilderService } from './services/remote-builder.service';
import { SystemService } from './services/system.service';
import { WebhookService } from './services/webhook.service';
import { forgeAuthorWriteAccess, PullRequestService } from '@fc/pull-requests';
import { createForgeClient, forgeAccounts, forgeSettingsOf } from '@fc/forges';
import { PullRequestCommentService } from './services/pull-request-comment.service';
import { BinaryCacheService } from './services/binary-cache.service';
import { QueueInspectionService } from './services/queue-inspection.service';
import { BuildQueueService } from './services/build-queue.service';
import { JobHistoryService } from './services/job-history.service';
import type { Services } from './services/services';
import { metaRoutes } from './routes/meta.routes';
import { projectRoutes } from './routes/projects.routes';
import { evaluationRoutes } from './routes/evaluations.routes';
import { buildRoutes } from './routes/builds.routes';
import { channelRoutes } from './routes/channels.routes';
import { accountRoutes } from './routes/accounts.routes';
import { adminRoutes } from './routes/admin.routes';
import { queueRoutes } from './routes/queues.routes';
import { searchRoutes } from './routes/search.routes';
import { webhookRoutes } from './routes/webhooks.routes';
import { pullRequestRoutes } from './routes/pull-requests.routes';
import { nixCacheRoutes } from './routes/nix-cache.routes';
import { readmeCompatRoutes } from './routes/readme-compat.routes';
import { FC_VERSION } from './version';
import { loadAssets } from './pages/assets';
import { dashboardPages } from './pages/pages';
import { PageRenderer } from './pages/page-renderer';
import { registerPages } from './pages/register-pages';
import { buildFileRoutes } from './pages/build-files';
import { ProductFileService } from './services/product-files';
import type { Page } from './pages/page-route';
import { findDashboardDirs } from './pages/templates-dir';

/** Per client on /nix-cache/: requests running at once, and waiting beyond those (then 429). */
const CACHE_CLIENT_LIMITS = { active: 8, queued: 64 };
/** NARs at once from all clients together: each is a nix-store --dump process. */
const NAR_LIMITS = { active: 32, queued: 256, everyone: true };

export interface AppDeps {
  readonly config: FcConfig;
  readonly pool: Pool;
  readonly boss: Boss;
  readonly logger: Logger;
  /** The process's metrics registry (a fresh one when omitted). */
  readonly registry?: Registry;
  /** How old the cached per-status build counts may get (default 10 s). */
  readonly statsMaxAgeMs?: number;
  /** cache.secret_key_file, read and checked by main.ts: signs the binary cache's narinfo. */
  readonly cacheSigningKey?: SigningKey;
}

export interface ServerApp {
  readonly app: Express;
  readonly routes: readonly ApiRoute[];
  /** The dashboard's pages (HTML, outside the OpenAPI document). */
  readonly pages: readonly Page[];
  /** Stops the app's timers (session pruning, rate-limit sweeps); the caller closes the pool. */
  close(): void;
}

export function createApp(deps: AppDeps): ServerApp {
  const { config, pool, boss, logger } = deps;
  const registry = deps.registry ?? createMetricsRegistry({ service: 'fc-server', processMetrics: false });
  registerQueueStateGauges(registry, async () => {
    const [state, jobs] = await Promise.all([queueState(pool), queueJobCounts(pool)]);
    return { ...state, jobs };
  });
  registerInstallationCountGauges(registry, () => installationCounts(pool));

  const notices = { pendingStatuses: commitStatusesConfigured(config.notifications) };
  const evaluations = new EvaluationService(pool, boss, logger.child({ component: 'evaluations' }), notices);
  const users = new UserService(
    pool,
    new LoginThrottle(pool, {
      perUser: config.server.login_max_failures_per_user,
      perAddress: config.server.login_max_failures_per_address,
      windowSeconds: config.server.login_failure_window,
    }),
  );
  const forgeAccountList = forgeAccounts(forgeSettingsOf(config.notifications));
  const forgeClient = createForgeClient({
    timeoutMs: config.notifications.timeout * 1000,
    userAgent: `fc-server/${FC_VERSION}`,
  });
  const pullRequests = new PullRequestService(
    pool,
    boss,
    forgeAuthorWriteAccess(forgeAccountList, forgeClient),
  );
  const builds = new BuildService(pool, boss, logger, {
    statsMaxAgeMs: deps.statsMaxAgeMs ?? 10_000,
    notices,
  });
  const comments = new PullRequestCommentService(
    pool,
    pullRequests,
    { accounts: forgeAccountList, client: forgeClient },
    logger.child({ component: 'pull-request-comments' }),
  );
  const services: Services = {
    projects: new ProjectService(pool, { dynamicRunCommand: config.notifications.dynamic_run_command }),
    evaluations,
    builds,
    logs: new BuildLogService(pool, config.logs.log_dir),
    channels: new ChannelService(pool),
    apiKeys: new ApiKeyService(pool, config.server.api_key),
    users,
    search: new SearchService(pool),
    remoteBuilders: new RemoteBuilderService(pool),
    system: new SystemService(pool, boss, FC_VERSION),
    webhooks: new WebhookService(pool, evaluations, pullRequests, comments),
    pullRequests,
    queues: new QueueInspectionService(pool, boss, notices),
    buildQueue: new BuildQueueService(pool, () => builds.queueCounts()),
    jobs: new JobHistoryService(pool),
  };

  // The binary cache: public and read-only like Hydra's, so Nix clients are never rate limited nor
  // asked for credentials (it is mounted before the rate limiter, sessions and authentication).
  const storePaths = createStorePathLookup();
  const cacheRoutes: ApiRoute[] = config.cache.enabled
    ? nixCacheRoutes(
        new BinaryCacheService({
          lookup: storePaths,
          metrics: createBinaryCacheMetrics(registry),
          signingKey: deps.cacheSigningKey,
          storeDir: '/nix/store',
          priority: 30,
          logOfDerivation: (drvPath) => services.logs.streamOfDerivation(drvPath),
        }),
      )
    : [];

  const openApi: { document?: unknown } = {};
  const apiRoutes: ApiRoute[] = [
    ...metaRoutes({ pool, registry, openApi: () => openApi.document }),
    ...accountRoutes(services),
    ...projectRoutes(services),
    ...evaluationRoutes(services),
    ...buildRoutes(services),
    ...channelRoutes(services),
    ...adminRoutes(services),
    ...queueRoutes(services),
    ...searchRoutes(services),
    ...webhookRoutes(services),
    ...pullRequestRoutes(services),
  ];
  apiRoutes.push(...readmeCompatRoutes(apiRoutes, services));
  const routes = [...apiRoutes, ...cacheRoutes];
  openApi.document = buildOpenApiDocument(routes, { title: 'FC API', version: FC_VERSION });

  let secret = config.server.session_secret;
  if (!secret) {
    logger.warn('server.session_secret is not set: sessions end when the server restarts');
    secret = randomBytes(32).toString('hex');
  }
  const sessions = sessionMiddleware(pool, { secret, secureCookies: config.server.force_secure_cookies });
  const passport = createPassport(services.apiKeys, users);
  const limiter =
    config.server.rate_limit_rps !== undefined
      ? rateLimit({
          rps: config.server.rate_limit_rps,
          burst: config.server.rate_limit_burst ?? Math.max(1, Math.ceil(config.server.rate_limit_rps)),
        })
      : undefined;

  const dashboard = findDashboardDirs();
  const assets = loadAssets(dashboard.assetsDir);
  const pages = new PageRenderer(dashboard.templatesDir, assets.urls, true);

  const app = express();
  app.disable('x-powered-by');
  if (config.server.trust_proxy) app.set('trust proxy', true);
  app.use(requestId());
  app.use(securityHeaders({ hsts: config.server.force_secure_cookies }));
  app.use(cors({ permissive: config.server.cors_permissive, allowedOrigins: config.server.allowed_origins }));
  app.use(httpMetrics(createHttpMetrics(registry)));
  if (cacheRoutes.length > 0) {
    app.use('/nix-cache/', clientConcurrency(CACHE_CLIENT_LIMITS));
    app.use('/nix-cache/nar/', clientConcurrency(NAR_LIMITS));
    app.use(registerRoutes(cacheRoutes));
  }
  if (limiter) app.use(limiter);
  app.use(requestTimeout(config.server.request_timeout));
  app.use(assets.router);
  app.use(jsonBody(config.server.max_body_size));
  app.use(formBody(config.server.max_body_size));
  app.use(unlessSessionlessRead(sessions.handler));
  app.use(passport.initialize());
  app.use(unlessSessionlessRead(passport.session() as RequestHandler));
  app.use(authenticate(passport));
  app.use(csrfProtection({ allowedOrigins: config.server.allowed_origins }));
  app.use(registerRoutes(apiRoutes));
  const pageTable = dashboardPages(services, { baseUrl: config.server.base_url });
  app.use(registerPages(pageTable, pages));
  app.use(buildFileRoutes(services, new ProductFileService(services.builds)));
  app.use(notFoundHandler());
  app.use(errorBoundary(logger, { render: (req, res, error) => pages.renderError(req, res, error) }));
  return {
    app,
    routes,
    pages: pageTable,
    close: () => {
      sessions.close();
      limiter?.stop();
      storePaths.close();
    },
  };
}
