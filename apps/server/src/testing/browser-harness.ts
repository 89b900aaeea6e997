// The dashboard's end-to-end harness: the built daemons (fc-server, and fc-evaluator and
// fc-queue-runner when asked) on a fresh test database with real Nix, and Debian's Chromium
// driven by playwright-core. Helpers log in through the login form and keep a full-page PNG of
// every page a spec looks at under test-artifacts/screenshots/<spec>/ (CI keeps the directory).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestDatabase, freePort, REPO_ROOT, startApp, type TestDatabase } from '@fc/testing';
import { ApiKeyService } from '../services/api-key.service';
import { pageProblems } from './page-qualities';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_ROOT = join(REPO_ROOT, 'test-artifacts', 'screenshots');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface DashboardEnvOptions {
  /** Names the screenshot directory: test-artifacts/screenshots/<name>/. */
  readonly name: string;
  /** Start fc-evaluator (polling every second). */
  readonly evaluator?: boolean;
  /** Start fc-queue-runner (two workers). */
  readonly queueRunner?: boolean;
  /** More FC_* configuration for every daemon. */
  readonly env?: Record<string, string>;
}

export interface DashboardEnv {
  readonly db: TestDatabase;
  /** fc-server's address, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly browser: Browser;
  readonly screenshotDir: string;
  /** A page in a fresh browser context (its own cookies); confirm() dialogs are accepted. */
  newPage(options?: { width?: number; height?: number }): Promise<Page>;
  /** Creates an API key with the role and returns it (shown once, as the CLI would). */
  key(role: string, userId?: number | null): Promise<string>;
  /** Creates a user through the API (with an admin key); returns its id. */
  createUser(username: string, password: string, roles: readonly string[]): Promise<number>;
  loginWithKey(page: Page, key: string): Promise<void>;
  loginWithPassword(page: Page, username: string, password: string): Promise<void>;
  /** Saves a full-page PNG as <screenshotDir>/<name>.png and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  /**
   * Saves the page's screenshot, then fails naming every way the page falls short of what every
   * page must be (page-qualities.ts: inert stored text, title, labels, CSRF tokens, status colours,
   * phone width).
   */
  look(page: Page, name: string): Promise<void>;
  /** Reloads the page until `check` holds (a positive signal); fails naming `what`. */
  reloadUntil(page: Page, what: string, check: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function waitForHealth(url: string, server: ResultPromise): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exited: { exitCode?: number; stderr?: unknown } | undefined;
  void server.then((r) => (exited = r));
  for (;;) {
    if (exited) throw new Error(`fc-server exited (${String(exited.exitCode)}): ${String(exited.stderr)}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`fc-server did not answer ${url}/health within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startDashboardEnv(options: DashboardEnvOptions): Promise<DashboardEnv> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run \`npm run setup\` (it installs Debian's chromium)`);
  }
  const db = await createTestDatabase();
  const work = mkdtempSync(join(tmpdir(), 'fc-pages-'));
  const dirs = {
    logs: join(work, 'logs'),
    roots: join(work, 'roots'),
    eval: join(work, 'eval'),
    qr: join(work, 'qr'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const common = {
    FC_DATABASE__URL: db.url,
    FC_DATABASE__MIN_CONNECTIONS: '0',
    FC_LOGS__LOG_DIR: dirs.logs,
    FC_LOGS__LEVEL: 'warn',
    FC_GC__GC_ROOTS_DIR: dirs.roots,
    ...options.env,
  };
  const daemons: ResultPromise[] = [];
  const server = startApp('server', [], {
    env: {
      ...common,
      FC_SERVER__HOST: '127.0.0.1',
      FC_SERVER__PORT: String(port),
      FC_SERVER__SESSION_SECRET: 'browser-spec-session-secret',
    },
  });
  daemons.push(server);
  let browser: Browser | undefined;
  const stopDaemons = async () => {
    for (const d of daemons.splice(0)) {
      d.kill('SIGTERM');
      await d;
    }
  };
  try {
    await waitForHealth(url, server);
    if (options.evaluator) {
      daemons.push(
        startApp('evaluator', [], {
          env: { ...common, FC_EVALUATOR__POLL_INTERVAL: '1', FC_EVALUATOR__WORK_DIR: dirs.eval },
        }),
      );
    }
    if (options.queueRunner) {
      daemons.push(
        startApp('builder', [], {
          env: {
            ...common,
            FC_QUEUE_RUNNER__WORK_DIR: dirs.qr,
            FC_QUEUE_RUNNER__WORKERS: '2',
            FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
          },
        }),
      );
    }
    // A fresh temporary profile (user-data-dir) per launch.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (e) {
    await stopDaemons();
    await db.drop();
    throw e;
  }
  const b = browser;
  const screenshotDir = join(SCREENSHOT_ROOT, options.name);
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
  console.log(`screenshots of the ${options.name} browser spec: ${screenshotDir}`);
  const keys = new ApiKeyService(db.pool, undefined);
  let adminKey: string | undefined;

  const env: DashboardEnv = {
    db,
    url,
    browser: b,
    screenshotDir,
    newPage: async (size = {}) => {
      const context = await b.newContext({
        baseURL: url,
        viewport: { width: size.width ?? 1280, height: size.height ?? 900 },
      });
      const page = await context.newPage();
      page.on('dialog', (d) => void d.accept());
      return page;
    },
    key: async (role, userId = null) => (await keys.create(`${role} key`, role, userId)).key,
    createUser: async (username, password, roles) => {
      adminKey ??= await env.key('admin');
      const r = await fetch(`${url}/api/v1/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username, password, roles }),
      });
      if (r.status !== 201) throw new Error(`creating user ${username}: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { id: number }).id;
    },
    loginWithKey: async (page, key) => {
      await page.goto('/login');
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Log in with the key' }).click();
      await page.getByText('Logged in as').waitFor();
    },
    loginWithPassword: async (page, username, password) => {
      await page.goto('/login');
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await page.getByText('Logged in as').waitFor();
    },
    screenshot: async (page, name) => {
      const file = join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    look: async (page, name) => {
      const file = await env.screenshot(page, name);
      const problems = await pageProblems(page);
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\n(screenshot: ${file})`);
    },
    reloadUntil: async (page, what, check, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} on ${page.url()}`);
        await new Promise((r) => setTimeout(r, 500));
        await page.reload();
      }
    },
    stop: async () => {
      await b.close();
      await stopDaemons();
      await db.drop();
      rmSync(work, { recursive: true, force: true });
    },
  };
  return env;
}
