// The whole of FC's configuration: every key, its type and its compiled default.
// config/fc.toml documents each key; keep the two in step.
import { z } from 'zod';

const seconds = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();
const optionalString = z.string().min(1).optional();
/** A daemon's own /metrics endpoint: 0 = none. */
const metricsPort = z.number().int().min(0).max(65535).default(0);
const metricsHost = z.string().min(1).default('127.0.0.1');

const database = z
  .strictObject({
    url: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/fc'),
    max_connections: positiveInt.default(20),
    min_connections: z.number().int().nonnegative().default(5),
    connect_timeout: seconds.default(30),
    idle_timeout: seconds.default(600),
    max_lifetime: seconds.default(1800),
  })
  .refine((d) => !(d.max_connections > 0) || d.min_connections <= d.max_connections, {
    message: 'min_connections must not exceed max_connections',
    path: ['min_connections'],
  });

const server = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(3000),
  request_timeout: seconds.default(30),
  max_body_size: positiveInt.default(10_485_760),
  api_key: optionalString,
  cors_permissive: z.boolean().default(false),
  allowed_origins: z.array(z.string().min(1)).default([]),
  force_secure_cookies: z.boolean().default(false),
  rate_limit_rps: z.number().positive().optional(),
  rate_limit_burst: positiveInt.optional(),
  session_secret: optionalString,
  /** Failed logins of one user name, and from one client address, within login_failure_window (0 = no limit). */
  login_max_failures_per_user: z.number().int().nonnegative().default(10),
  login_max_failures_per_address: z.number().int().nonnegative().default(50),
  login_failure_window: positiveInt.default(900),
  trust_proxy: z.boolean().default(false),
  /** The public URL of fc-server (links in commit statuses); unset: statuses carry no link. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
});

const evaluator = z.strictObject({
  poll_interval: positiveInt.default(60),
  git_timeout: positiveInt.default(600),
  nix_timeout: positiveInt.default(1800),
  max_concurrent_evals: positiveInt.default(4),
  work_dir: z.string().min(1).default('/tmp/fc-evaluator'),
  restrict_eval: z.boolean().default(true),
  allow_ifd: z.boolean().default(false),
  /** seconds between passes over the forges' open pull requests (projects with build_pull_requests); 0 = none. */
  pull_request_poll_interval: seconds.default(300),
  metrics_port: metricsPort,
  metrics_host: metricsHost,
});

const queueRunner = z.strictObject({
  workers: positiveInt.default(4),
  poll_interval: positiveInt.default(5),
  build_timeout: positiveInt.default(3600),
  work_dir: z.string().min(1).default('/tmp/fc-queue-runner'),
  max_retries: z.number().int().nonnegative().default(3),
  max_output_size: positiveInt.default(2 * 1024 * 1024 * 1024),
  unsupported_timeout: seconds.default(60),
  metrics_port: metricsPort,
  metrics_host: metricsHost,
});

const gc = z.strictObject({
  enabled: z.boolean().default(true),
  gc_roots_dir: z.string().min(1).default('/nix/var/nix/gcroots/per-user/fc/fc-roots'),
  max_age_days: positiveInt.default(30),
  cleanup_interval: positiveInt.default(3600),
});

const logs = z.strictObject({
  log_dir: z.string().min(1).default('/var/lib/fc/logs'),
  compress: z.boolean().default(false),
  max_log_size: positiveInt.default(64 * 1024 * 1024),
  level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

const cache = z.strictObject({
  enabled: z.boolean().default(true),
  secret_key_file: optionalString,
});

const signing = z.strictObject({
  enabled: z.boolean().default(false),
  key_file: optionalString,
});

/** A GitHub or Gitea owner (user or organisation) as forges spell it; compared case-insensitively. */
const forgeOwner = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'is not a forge owner (a user or organisation name)');
const tokensByOwner = z.record(forgeOwner, z.string().min(1));
const ownerList = z.array(forgeOwner).min(1);

const notifications = z.strictObject({
  webhook_url: z.url({ protocol: /^https?$/ }).optional(),
  run_command: optionalString,
  /** Hydra's dynamic RunCommand: a finished runCommandHook.* build's own executable is run (projects and jobsets opt in). */
  dynamic_run_command: z.boolean().default(false),
  /** The default GitHub token: sent only to the owners in github_token_owners. */
  github_token: optionalString,
  github_token_owners: ownerList.optional(),
  /** Hydra's github_authorization: owner -> token; an owner not listed is asked without a token. */
  github_authorization: tokensByOwner.optional(),
  gitea_url: z.url({ protocol: /^https?$/ }).optional(),
  gitea_token: optionalString,
  gitea_token_owners: ownerList.optional(),
  /** Gitea/Forgejo tokens per forge (its base URL) and owner. */
  gitea_authorization: z.record(z.url({ protocol: /^https?$/ }), tokensByOwner).optional(),
  github_api_url: z.url({ protocol: /^https?$/ }).default('https://api.github.com'),
  /** seconds: one HTTP request or run_command may take this long before it counts as a transient failure. */
  timeout: positiveInt.default(30),
});

export const configSchema = z
  .strictObject({
    database: database.default(() => database.parse({})),
    server: server.default(() => server.parse({})),
    evaluator: evaluator.default(() => evaluator.parse({})),
    queue_runner: queueRunner.default(() => queueRunner.parse({})),
    gc: gc.default(() => gc.parse({})),
    logs: logs.default(() => logs.parse({})),
    cache: cache.default(() => cache.parse({})),
    signing: signing.default(() => signing.parse({})),
    notifications: notifications.default(() => notifications.parse({})),
  })
  .superRefine((c, ctx) => {
    if (c.signing.enabled && !c.signing.key_file) {
      ctx.addIssue({
        code: 'custom',
        path: ['signing', 'key_file'],
        message: 'is required when signing.enabled is true',
      });
    }
    if (c.notifications.gitea_token !== undefined && c.notifications.gitea_url === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['notifications', 'gitea_url'],
        message: 'is required with notifications.gitea_token: the Gitea the token is for',
      });
    }
    // A default token goes only to the owners named for it: never to whatever repository an editor names.
    for (const forge of ['github', 'gitea'] as const) {
      const token = c.notifications[`${forge}_token`];
      const owners = c.notifications[`${forge}_token_owners`];
      if (token !== undefined && owners === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['notifications', `${forge}_token_owners`],
          message: `is required with notifications.${forge}_token: the owners (users or organisations) whose repositories the token may be sent to (or give a token per owner in notifications.${forge}_authorization)`,
        });
      }
      if (token === undefined && owners !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['notifications', `${forge}_token_owners`],
          message: `names the owners of notifications.${forge}_token, which is not set`,
        });
      }
    }
    for (const url of Object.keys(c.notifications.gitea_authorization ?? {})) {
      const u = new URL(url);
      if (u.username || u.password || u.search || u.hash) {
        ctx.addIssue({
          code: 'custom',
          path: ['notifications', 'gitea_authorization', url],
          message: "must be a Gitea's base URL, without credentials, query or fragment",
        });
      }
    }
  });

export type FcConfig = Readonly<z.output<typeof configSchema>>;

/** Keys whose values are secrets: error messages never echo them. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'database.url',
  'server.api_key',
  'server.session_secret',
  'notifications.github_token',
  'notifications.github_authorization',
  'notifications.gitea_token',
  'notifications.gitea_authorization',
]);
