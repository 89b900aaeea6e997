// Spec helper: a real fc-server app (createApp) on a fresh test database, listening on a free port.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { loadConfig } from '@fc/config';
import { createPool, type Pool } from '@fc/db';
import { createSilentLogger, type Logger } from '@fc/logging';
import { createBoss, type Boss } from '@fc/queue';
import { createApp, type ServerApp } from '../app';
import { ApiKeyService } from '../services/api-key.service';

/** The test database the harness runs on (createTestDatabase() from @fc/testing, in the spec). */
export interface HarnessDatabase {
  readonly url: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

export interface ApiHarness {
  readonly url: string;
  readonly db: HarnessDatabase;
  readonly pool: Pool;
  readonly boss: Boss;
  readonly server: ServerApp;
  /** fetch against the server; `key` adds the bearer header, `body` is sent as JSON. */
  call(
    method: string,
    path: string,
    options?: {
      key?: string;
      body?: unknown;
      headers?: Record<string, string>;
      cookie?: string;
      /** 'manual' to see a redirect (303 after a form) instead of following it. */
      redirect?: 'follow' | 'manual';
    },
  ): Promise<Response>;
  /** Creates an API key with the role and returns it. */
  key(role: string, userId?: number | null): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** FC_* configuration, e.g. { FC_SERVER__RATE_LIMIT_RPS: '5' }. */
  readonly env?: Record<string, string>;
  /** Use this pool for the app instead of one on the test database (e.g. a pool to nowhere). */
  readonly appPool?: Pool;
  readonly statsMaxAgeMs?: number;
  /** The app's logger (default: silent), for specs that read what it logs. */
  readonly logger?: Logger;
}

export async function startApiHarness(
  db: HarnessDatabase,
  options: HarnessOptions = {},
): Promise<ApiHarness> {
  const config = loadConfig({
    cwd: '/nonexistent',
    env: { FC_DATABASE__URL: db.url, FC_SERVER__SESSION_SECRET: 'test-session-secret', ...options.env },
  });
  const pool = options.appPool ?? createPool({ url: db.url, maxConnections: 8 });
  const boss = createBoss({ url: db.url, supervise: false, maxConnections: 2 });
  // A dropped database (the 503 spec) makes pg-boss's own pool report errors.
  boss.on('error', () => undefined);
  await boss.start();
  const server = createApp({
    config,
    pool,
    boss,
    logger: options.logger ?? createSilentLogger(),
    ...(options.statsMaxAgeMs !== undefined ? { statsMaxAgeMs: options.statsMaxAgeMs } : {}),
  });
  const http: Server = server.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => http.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const keys = new ApiKeyService(db.pool, undefined);

  return {
    url,
    db,
    pool,
    boss,
    server,
    call: (method, path, o = {}) =>
      fetch(url + path, {
        method,
        ...(o.redirect ? { redirect: o.redirect } : {}),
        headers: {
          ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
          ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(o.cookie ? { cookie: o.cookie } : {}),
          ...o.headers,
        },
        ...(o.body !== undefined
          ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }
          : {}),
      }),
    key: async (role, userId = null) => (await keys.create(`${role} key`, role, userId)).key,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      server.close();
      await boss.stop({ graceful: false, close: true });
      if (!options.appPool) await pool.end();
      else await options.appPool.end().catch(() => undefined);
      await db.drop();
    },
  };
}
