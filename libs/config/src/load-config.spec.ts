import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './index';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'fc-config-'));
}

function problemsOf(fn: () => unknown): { key: string; source: string | undefined; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives every documented default with no file and no environment', () => {
    const c = loadConfig({ cwd: tempDir(), env: {} });
    expect(c.database).toEqual({
      url: 'postgres://postgres@127.0.0.1:5432/fc',
      max_connections: 20,
      min_connections: 5,
      connect_timeout: 30,
      idle_timeout: 600,
      max_lifetime: 1800,
    });
    expect(c.server).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      request_timeout: 30,
      max_body_size: 10485760,
      cors_permissive: false,
      allowed_origins: [],
      force_secure_cookies: false,
    });
    expect(c.server.api_key).toBeUndefined();
    expect(c.server.rate_limit_rps).toBeUndefined();
    expect(c.evaluator).toEqual({
      poll_interval: 60,
      git_timeout: 600,
      nix_timeout: 1800,
      max_concurrent_evals: 4,
      work_dir: '/tmp/fc-evaluator',
      restrict_eval: true,
      allow_ifd: false,
      pull_request_poll_interval: 300,
      metrics_port: 0,
      metrics_host: '127.0.0.1',
    });
    expect(c.queue_runner).toMatchObject({
      workers: 4,
      poll_interval: 5,
      build_timeout: 3600,
      work_dir: '/tmp/fc-queue-runner',
      metrics_port: 0,
      metrics_host: '127.0.0.1',
    });
    expect(c.gc).toEqual({
      enabled: true,
      gc_roots_dir: '/nix/var/nix/gcroots/per-user/fc/fc-roots',
      max_age_days: 30,
      cleanup_interval: 3600,
    });
    expect(c.logs).toMatchObject({ log_dir: '/var/lib/fc/logs', compress: false });
    expect(c.cache).toEqual({ enabled: true });
    expect(c.signing).toEqual({ enabled: false });
    expect(c.notifications).toEqual({
      github_api_url: 'https://api.github.com',
      dynamic_run_command: false,
      timeout: 30,
    });
    expect(Object.isFrozen(c.server)).toBe(true);
  });

  it('applies defaults < ./fc.toml < FC_CONFIG_FILE < FC_* variables', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'fc.toml'),
      '[server]\nport = 4000\nhost = "0.0.0.0"\nrequest_timeout = 10\n[evaluator]\npoll_interval = 5\n',
    );
    const other = join(dir, 'other.toml');
    writeFileSync(other, '[server]\nport = 5000\nrequest_timeout = 20\n[queue_runner]\nworkers = 2\n');
    const c = loadConfig({
      cwd: dir,
      env: { FC_CONFIG_FILE: other, FC_SERVER__PORT: '6000', FC_QUEUE_RUNNER__WORKERS: '8' },
    });
    expect(c.server.port).toBe(6000); // env beats both files
    expect(c.server.request_timeout).toBe(20); // FC_CONFIG_FILE beats ./fc.toml
    expect(c.server.host).toBe('0.0.0.0'); // ./fc.toml beats the default
    expect(c.evaluator.poll_interval).toBe(5);
    expect(c.queue_runner.workers).toBe(8);
    expect(c.server.max_body_size).toBe(10485760); // untouched default
  });

  it('coerces environment values to each key type', () => {
    const c = loadConfig({
      cwd: tempDir(),
      env: {
        FC_DATABASE__URL: 'postgres://x@h/db',
        FC_SERVER__CORS_PERMISSIVE: 'true',
        FC_SERVER__ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        FC_EVALUATOR__RESTRICT_EVAL: '0',
        FC_SERVER__RATE_LIMIT_RPS: '2.5',
        FC_GC__ENABLED: 'no',
        FC_LOGS__COMPRESS: 'on',
        FC_NOTIFICATIONS__WEBHOOK_URL: 'http://127.0.0.1:9/hook',
        FC_TEST_DATABASE_URL: 'ignored: not a config key',
      },
    });
    expect(c.database.url).toBe('postgres://x@h/db');
    expect(c.server.cors_permissive).toBe(true);
    expect(c.server.allowed_origins).toEqual(['https://a.example', 'https://b.example']);
    expect(c.evaluator.restrict_eval).toBe(false);
    expect(c.server.rate_limit_rps).toBe(2.5);
    expect(c.gc.enabled).toBe(false);
    expect(c.logs.compress).toBe(true);
    expect(c.notifications.webhook_url).toBe('http://127.0.0.1:9/hook');
    expect(
      loadConfig({ cwd: tempDir(), env: { FC_SERVER__ALLOWED_ORIGINS: '["https://c.example"]' } }).server
        .allowed_origins,
    ).toEqual(['https://c.example']);
  });

  it('names every bad key of a file at once, and never a secret value', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'fc.toml'),
      [
        '[server]',
        'port = "eighty"',
        'api_key = 12345',
        'colour = "blue"',
        '[database]',
        'max_connections = 0',
        '[queue_runner]',
        'workers = -1',
        '[frobnicator]',
        'x = 1',
      ].join('\n'),
    );
    let message = '';
    const problems = problemsOf(() => {
      try {
        loadConfig({ cwd: dir, env: { FC_EVALUATOR__POLL_INTERVAL: 'soon', FC_SERVER__NOPE: '1' } });
      } catch (e) {
        message = (e as Error).message;
        throw e;
      }
    });
    const keys = problems.map((p) => p.key).sort();
    expect(keys).toEqual(
      [
        'database.max_connections',
        'evaluator.poll_interval',
        'frobnicator',
        'queue_runner.workers',
        'server.api_key',
        'server.colour',
        'server.nope',
        'server.port',
      ].sort(),
    );
    expect(problems.find((p) => p.key === 'evaluator.poll_interval')?.source).toBe(
      'FC_EVALUATOR__POLL_INTERVAL',
    );
    expect(problems.find((p) => p.key === 'server.port')?.source).toBe(join(dir, 'fc.toml'));
    expect(message).toContain('server.port: expected number');
    expect(message).not.toContain('12345');
  });

  it('does not echo a secret that fails validation', () => {
    const problems = problemsOf(() =>
      loadConfig({ cwd: tempDir(), env: { FC_DATABASE__URL: '', FC_SERVER__API_KEY: '' } }),
    );
    expect(problems.map((p) => p.key).sort()).toEqual(['database.url', 'server.api_key']);
  });

  it('reports a missing FC_CONFIG_FILE and a TOML syntax error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fc.toml'), '[server\nport = 1');
    const problems = problemsOf(() =>
      loadConfig({ cwd: dir, env: { FC_CONFIG_FILE: join(dir, 'missing.toml') } }),
    );
    expect(problems).toHaveLength(2);
    expect(problems.map((p) => p.source)).toEqual([join(dir, 'fc.toml'), 'FC_CONFIG_FILE']);
    expect(problems[0]!.message).toMatch(/not valid TOML/);
  });

  it('checks keys that depend on each other', () => {
    const problems = problemsOf(() =>
      loadConfig({
        cwd: tempDir(),
        env: { FC_SIGNING__ENABLED: 'true', FC_DATABASE__MIN_CONNECTIONS: '50' },
      }),
    );
    expect(problems.map((p) => p.key).sort()).toEqual(['database.min_connections', 'signing.key_file']);
  });

  it('takes only http(s) URLs for notification endpoints and server.base_url', () => {
    const problems = problemsOf(() =>
      loadConfig({
        cwd: tempDir(),
        env: {
          FC_NOTIFICATIONS__WEBHOOK_URL: 'ftp://example.org/hook',
          FC_NOTIFICATIONS__GITHUB_API_URL: 'not a url',
          FC_NOTIFICATIONS__GITEA_URL: 'gitea.example.org',
          FC_NOTIFICATIONS__GITEA_TOKEN: 't',
          FC_NOTIFICATIONS__GITEA_TOKEN_OWNERS: 'team',
          FC_SERVER__BASE_URL: 'ci.example.org',
        },
      }),
    );
    expect(problems.map((p) => p.key).sort()).toEqual([
      'notifications.gitea_url',
      'notifications.github_api_url',
      'notifications.webhook_url',
      'server.base_url',
    ]);
    const ok = loadConfig({
      cwd: tempDir(),
      env: {
        FC_NOTIFICATIONS__GITHUB_API_URL: 'http://127.0.0.1:8080/api/v3',
        FC_NOTIFICATIONS__TIMEOUT: '5',
        FC_SERVER__BASE_URL: 'https://ci.example.org',
      },
    });
    expect(ok.notifications).toMatchObject({ github_api_url: 'http://127.0.0.1:8080/api/v3', timeout: 5 });
    expect(ok.server.base_url).toBe('https://ci.example.org');
  });

  it('takes metrics ports 0..65535 and names a bad one', () => {
    const problems = problemsOf(() =>
      loadConfig({
        cwd: tempDir(),
        env: { FC_EVALUATOR__METRICS_PORT: '70000', FC_QUEUE_RUNNER__METRICS_PORT: 'x' },
      }),
    );
    expect(problems.map((p) => p.key).sort()).toEqual([
      'evaluator.metrics_port',
      'queue_runner.metrics_port',
    ]);
    const ok = loadConfig({
      cwd: tempDir(),
      env: { FC_EVALUATOR__METRICS_PORT: '9101', FC_QUEUE_RUNNER__METRICS_HOST: '0.0.0.0' },
    });
    expect(ok.evaluator).toMatchObject({ metrics_port: 9101, metrics_host: '127.0.0.1' });
    expect(ok.queue_runner).toMatchObject({ metrics_port: 0, metrics_host: '0.0.0.0' });
  });

  it("refuses a forge token without the owners it is for, naming the key, never the token's value", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'fc.toml'),
      [
        '[notifications]',
        'github_token = "ghp_secret_value"',
        'gitea_token = "gitea_secret_value"',
        '[notifications.github_authorization]',
        '"not an owner" = "x"',
        'acme = ""',
        '[notifications.gitea_authorization."ftp://gitea.example.org"]',
        'acme = "y"',
      ].join('\n'),
    );
    const error = (() => {
      try {
        loadConfig({ cwd: dir, env: {} });
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();
    expect(error.message).not.toMatch(/secret_value/);
    expect(problemsOf(() => loadConfig({ cwd: dir, env: {} })).map((p) => p.key)).toEqual([
      'notifications.github_authorization.not an owner',
      'notifications.github_authorization.acme',
      'notifications.gitea_authorization.ftp://gitea.example.org',
    ]);
    const single = {
      FC_NOTIFICATIONS__GITHUB_TOKEN: 'ghp_secret_value',
      FC_NOTIFICATIONS__GITEA_TOKEN: 'gitea_secret_value',
    };
    const problems = problemsOf(() => loadConfig({ cwd: tempDir(), env: single }));
    expect(problems.map((p) => p.key).sort()).toEqual([
      'notifications.gitea_token_owners',
      'notifications.gitea_url',
      'notifications.github_token_owners',
    ]);
    expect(problems.find((p) => p.key === 'notifications.github_token_owners')?.message).toMatch(
      /^is required with notifications.github_token: the owners/,
    );
    expect(JSON.stringify(problems)).not.toMatch(/secret_value/);
  });

  it('takes per-owner tokens from files and, as JSON objects, from the environment', () => {
    const c = loadConfig({
      cwd: tempDir(),
      env: {
        FC_NOTIFICATIONS__GITHUB_TOKEN: 'default',
        FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme,acme-infra',
        FC_NOTIFICATIONS__GITHUB_AUTHORIZATION: '{"other":"o"}',
        FC_NOTIFICATIONS__GITEA_AUTHORIZATION: '{"https://codeberg.org":{"acme":"c"}}',
      },
    });
    expect(c.notifications).toMatchObject({
      github_token_owners: ['acme', 'acme-infra'],
      github_authorization: { other: 'o' },
      gitea_authorization: { 'https://codeberg.org': { acme: 'c' } },
    });
    const problems = problemsOf(() =>
      loadConfig({ cwd: tempDir(), env: { FC_NOTIFICATIONS__GITHUB_AUTHORIZATION: 'acme=ghp_x' } }),
    );
    expect(problems).toEqual([
      {
        key: 'notifications.github_authorization',
        source: 'FC_NOTIFICATIONS__GITHUB_AUTHORIZATION',
        message: 'expected a JSON object',
      },
    ]);
  });
});
