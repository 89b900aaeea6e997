// The FC README, followed as its readers do: its first-admin-key bootstrap run literally (openssl,
// sha256sum, psql), then its API table walked row by row (method, path, auth) against the built
// fc-server with that key. Each row is called without credentials, with a read-only key where the
// row needs a role, and as the row's caller: it must answer as the table documents.
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execa, type ResultPromise } from 'execa';
import { createTestDatabase, freePort, startApp, type TestDatabase } from '@fc/testing';
import { insertFixture } from '../testing/build-fixtures';

jest.setTimeout(120_000);

let db: TestDatabase;
let server: ResultPromise;
let base: string;
let adminKey: string;
let readKey: string;
let userKey: string;
/** Ids of the fixtures and of what earlier rows created, for the paths of later rows. */
const ids: Record<string, number> = {};
let narHash: string;

/** The README's bootstrap, command for command; its `sudo -u fc psql -U fc -d fc` is psql on the test database. */
const BOOTSTRAP = `
set -euo pipefail
export FC_KEY="fc_$(openssl rand -hex 16)"
export FC_HASH=$(echo -n "$FC_KEY" | sha256sum | cut -d' ' -f1)
psql "$DATABASE_URL" -c \\
  "INSERT INTO api_keys (name, key_hash, role) VALUES ('admin', '$FC_HASH', 'admin')"
echo "Admin API key: $FC_KEY"
`;

async function call(
  method: string,
  path: string,
  o: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  return fetch(base + path, {
    method,
    headers: {
      ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...o.headers,
    },
    ...(body ? { body } : {}),
  });
}

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const bootstrap = await execa('bash', ['-c', BOOTSTRAP], { env: { DATABASE_URL: db.url } });
  const m = /^Admin API key: (fc_[0-9a-f]{32})$/m.exec(bootstrap.stdout);
  if (!m) throw new Error(`the bootstrap printed no key:\n${bootstrap.stdout}\n${bootstrap.stderr}`);
  adminKey = m[1]!;

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = startApp('server', [], {
    env: {
      FC_DATABASE__URL: db.url,
      FC_DATABASE__MIN_CONNECTIONS: '0',
      FC_SERVER__PORT: String(port),
      FC_SERVER__SESSION_SECRET: 'readme-spec',
    },
  });
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 150) throw new Error(`fc-server did not start: ${String((await server).stderr)}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  // Fixtures: a project with a webhook secret and a jobset, builds in each state, a channel, a
  // valid store path for the cache rows.
  const project = await json(
    await call('POST', '/api/v1/projects', {
      key: adminKey,
      body: {
        name: 'readme',
        repository_url: 'https://example.org/readme.git',
        github_webhook_secret: 'gh-secret',
        gitea_webhook_secret: 'gitea-secret',
      },
    }),
  );
  ids['project'] = project['id'] as number;
  ids['doomedProject'] = (
    await json(
      await call('POST', '/api/v1/projects', {
        key: adminKey,
        body: { name: 'doomed', repository_url: 'https://example.org/doomed.git' },
      }),
    )
  )['id'] as number;
  ids['jobset'] = (
    await json(
      await call('POST', `/api/v1/projects/${ids['project']}/jobsets`, {
        key: adminKey,
        body: { name: 'main', nix_expression: 'release.nix' },
      }),
    )
  )['id'] as number;
  const fixture = await insertFixture(db.pool, {
    builds: [
      { job: 'queued-a', status: 'queued' },
      { job: 'queued-b', status: 'queued' },
      { job: 'failed', status: 1 },
    ],
  });
  ids['cancelBuild'] = fixture.buildIds[0]!;
  ids['bumpBuild'] = fixture.buildIds[1]!;
  ids['restartBuild'] = fixture.buildIds[2]!;
  ids['evaluation'] = fixture.evaluationId;
  ids['fixtureJobset'] = fixture.jobsetId;
  ids['channel'] = (
    await json(
      await call('POST', '/api/v1/channels', {
        key: adminKey,
        body: { jobset_id: fixture.jobsetId, name: 'promoted' },
      }),
    )
  )['id'] as number;
  readKey = String(
    (
      await json(
        await call('POST', '/api/v1/api-keys', { key: adminKey, body: { name: 'r', role: 'read-only' } }),
      )
    )['key'],
  );
  const user = await json(
    await call('POST', '/api/v1/users', {
      key: adminKey,
      body: { username: 'dev', password: 'a-long-password', role: 'read-only' },
    }),
  );
  userKey = String(
    (
      await json(
        await call('POST', '/api/v1/api-keys', {
          key: adminKey,
          body: { name: 'dev', role: 'read-only', user_id: user['id'] },
        }),
      )
    )['key'],
  );
  const dir = mkdtempSync(join(tmpdir(), 'fc-readme-'));
  writeFileSync(join(dir, 'readme-cache-row.txt'), `cached ${Date.now()}\n`);
  const added = await execa('nix-store', ['--add', join(dir, 'readme-cache-row.txt')]);
  narHash = added.stdout.trim().slice('/nix/store/'.length, '/nix/store/'.length + 32);
}, 120_000);

afterAll(async () => {
  server.kill('SIGTERM');
  await server;
  await db.drop();
});

type Auth =
  | '-'
  | 'admin'
  | 'admin/create-projects'
  | 'admin/eval-jobset'
  | 'admin/cancel-build'
  | 'admin/restart-jobs'
  | 'admin/bump-to-front'
  | 'user/api key'
  | 'user'
  | 'HMAC';

interface Row {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly endpoint: string;
  readonly auth: Auth;
  /** The concrete path (ids of fixtures and earlier rows), and a body. */
  readonly path?: () => string;
  readonly body?: () => unknown;
  readonly ok: number;
  /** Keeps what the successful answer created, for later rows. */
  readonly keep?: string;
}

const githubSig = (body: string) => `sha256=${createHmac('sha256', 'gh-secret').update(body).digest('hex')}`;
const giteaSig = (body: string) => createHmac('sha256', 'gitea-secret').update(body).digest('hex');
const push = JSON.stringify({
  ref: 'refs/heads/main',
  repository: { clone_url: 'https://example.org/readme.git', default_branch: 'main' },
});

// The README's API table, in its order: method, endpoint and auth as it gives them.
const ROWS: Row[] = [
  { method: 'GET', endpoint: '/health', auth: '-', ok: 200 },
  { method: 'GET', endpoint: '/metrics', auth: '-', ok: 200 },
  { method: 'GET', endpoint: '/api/v1/projects', auth: '-', ok: 200 },
  {
    method: 'POST',
    endpoint: '/api/v1/projects',
    auth: 'admin/create-projects',
    body: () => ({ name: 'my-project', repository_url: 'https://github.com/NixOS/nixpkgs' }),
    ok: 201,
  },
  {
    method: 'GET',
    endpoint: '/api/v1/projects/{id}',
    auth: '-',
    path: () => `/api/v1/projects/${ids['project']}`,
    ok: 200,
  },
  {
    method: 'PUT',
    endpoint: '/api/v1/projects/{id}',
    auth: 'admin',
    path: () => `/api/v1/projects/${ids['project']}`,
    body: () => ({ description: 'updated with PUT' }),
    ok: 200,
  },
  {
    method: 'DELETE',
    endpoint: '/api/v1/projects/{id}',
    auth: 'admin',
    path: () => `/api/v1/projects/${ids['doomedProject']}`,
    ok: 204,
  },
  {
    method: 'GET',
    endpoint: '/api/v1/projects/{id}/jobsets',
    auth: '-',
    path: () => `/api/v1/projects/${ids['project']}/jobsets`,
    ok: 200,
  },
  {
    method: 'POST',
    endpoint: '/api/v1/projects/{id}/jobsets',
    auth: 'admin/create-projects',
    path: () => `/api/v1/projects/${ids['project']}/jobsets`,
    body: () => ({ name: 'flake', nix_expression: 'hydraJobs', flake_mode: true }),
    ok: 201,
    keep: 'newJobset',
  },
  {
    method: 'GET',
    endpoint: '/api/v1/projects/{pid}/jobsets/{id}',
    auth: '-',
    path: () => `/api/v1/projects/${ids['project']}/jobsets/${ids['newJobset']}`,
    ok: 200,
  },
  {
    method: 'PUT',
    endpoint: '/api/v1/projects/{pid}/jobsets/{id}',
    auth: 'admin',
    path: () => `/api/v1/projects/${ids['project']}/jobsets/${ids['newJobset']}`,
    body: () => ({ nix_expression: 'checks' }),
    ok: 200,
  },
  {
    method: 'DELETE',
    endpoint: '/api/v1/projects/{pid}/jobsets/{id}',
    auth: 'admin',
    path: () => `/api/v1/projects/${ids['project']}/jobsets/${ids['newJobset']}`,
    ok: 204,
  },
  { method: 'GET', endpoint: '/api/v1/evaluations', auth: '-', ok: 200 },
  {
    method: 'GET',
    endpoint: '/api/v1/evaluations/{id}',
    auth: '-',
    path: () => `/api/v1/evaluations/${ids['evaluation']}`,
    ok: 200,
  },
  {
    method: 'POST',
    endpoint: '/api/v1/evaluations/trigger',
    auth: 'admin/eval-jobset',
    body: () => ({ jobset_id: ids['jobset'] }),
    ok: 202,
  },
  { method: 'GET', endpoint: '/api/v1/builds', auth: '-', ok: 200 },
  {
    method: 'GET',
    endpoint: '/api/v1/builds/{id}',
    auth: '-',
    path: () => `/api/v1/builds/${ids['restartBuild']}`,
    ok: 200,
  },
  {
    method: 'POST',
    endpoint: '/api/v1/builds/{id}/cancel',
    auth: 'admin/cancel-build',
    path: () => `/api/v1/builds/${ids['cancelBuild']}/cancel`,
    ok: 200,
  },
  {
    method: 'POST',
    endpoint: '/api/v1/builds/{id}/restart',
    auth: 'admin/restart-jobs',
    path: () => `/api/v1/builds/${ids['restartBuild']}/restart`,
    ok: 200,
  },
  {
    method: 'POST',
    endpoint: '/api/v1/builds/{id}/bump',
    auth: 'admin/bump-to-front',
    path: () => `/api/v1/builds/${ids['bumpBuild']}/bump`,
    ok: 200,
  },
  { method: 'GET', endpoint: '/api/v1/builds/stats', auth: '-', ok: 200 },
  { method: 'GET', endpoint: '/api/v1/builds/recent', auth: '-', ok: 200 },
  { method: 'GET', endpoint: '/api/v1/channels', auth: '-', ok: 200 },
  {
    method: 'POST',
    endpoint: '/api/v1/channels',
    auth: 'admin',
    body: () => ({ jobset_id: ids['fixtureJobset'], name: 'short-lived' }),
    ok: 201,
    keep: 'newChannel',
  },
  {
    method: 'DELETE',
    endpoint: '/api/v1/channels/{id}',
    auth: 'admin',
    path: () => `/api/v1/channels/${ids['newChannel']}`,
    ok: 204,
  },
  {
    method: 'POST',
    endpoint: '/api/v1/channels/{id}/promote/{eval}',
    auth: 'admin',
    path: () => `/api/v1/channels/${ids['channel']}/promote/${ids['evaluation']}`,
    ok: 200,
  },
  { method: 'GET', endpoint: '/api/v1/api-keys', auth: 'admin', ok: 200 },
  {
    method: 'POST',
    endpoint: '/api/v1/api-keys',
    auth: 'admin',
    body: () => ({ name: 'ci', role: 'eval-jobset' }),
    ok: 201,
    keep: 'newKey',
  },
  {
    method: 'DELETE',
    endpoint: '/api/v1/api-keys/{id}',
    auth: 'admin',
    path: () => `/api/v1/api-keys/${ids['newKey']}`,
    ok: 204,
  },
  { method: 'GET', endpoint: '/api/v1/admin/builders', auth: '-', ok: 200 },
  {
    method: 'POST',
    endpoint: '/api/v1/admin/builders',
    auth: 'admin',
    body: () => ({
      name: 'builder-1',
      ssh_uri: 'builder-1.example.org',
      systems: ['x86_64-linux', 'aarch64-linux'],
      max_jobs: 4,
      speed_factor: 1,
      enabled: true,
    }),
    ok: 201,
    keep: 'builder',
  },
  {
    method: 'PUT',
    endpoint: '/api/v1/admin/builders/{id}',
    auth: 'admin',
    path: () => `/api/v1/admin/builders/${ids['builder']}`,
    body: () => ({ max_jobs: 8 }),
    ok: 200,
  },
  {
    method: 'DELETE',
    endpoint: '/api/v1/admin/builders/{id}',
    auth: 'admin',
    path: () => `/api/v1/admin/builders/${ids['builder']}`,
    ok: 204,
  },
  { method: 'GET', endpoint: '/api/v1/admin/system', auth: 'admin', ok: 200 },
  { method: 'GET', endpoint: '/api/v1/users', auth: 'admin', ok: 200 },
  {
    method: 'POST',
    endpoint: '/api/v1/users',
    auth: 'admin',
    body: () => ({
      username: 'developer',
      email: 'dev@example.com',
      password: 'secure-password-here',
      role: 'admin',
    }),
    ok: 201,
    keep: 'newUser',
  },
  {
    method: 'GET',
    endpoint: '/api/v1/users/{id}',
    auth: 'admin',
    path: () => `/api/v1/users/${ids['newUser']}`,
    ok: 200,
  },
  {
    method: 'PUT',
    endpoint: '/api/v1/users/{id}',
    auth: 'admin',
    path: () => `/api/v1/users/${ids['newUser']}`,
    body: () => ({ email: 'developer@example.com' }),
    ok: 200,
  },
  {
    method: 'DELETE',
    endpoint: '/api/v1/users/{id}',
    auth: 'admin',
    path: () => `/api/v1/users/${ids['newUser']}`,
    ok: 204,
  },
  { method: 'GET', endpoint: '/api/v1/me', auth: 'user/api key', ok: 200 },
  { method: 'PUT', endpoint: '/api/v1/me', auth: 'user', body: () => ({ email: 'me@example.com' }), ok: 200 },
  {
    method: 'POST',
    endpoint: '/api/v1/me/password',
    auth: 'user',
    body: () => ({ current_password: 'a-long-password', new_password: 'another-long-password' }),
    ok: 204,
  },
  { method: 'GET', endpoint: '/api/v1/me/starred-jobs', auth: 'user', ok: 200 },
  {
    method: 'POST',
    endpoint: '/api/v1/me/starred-jobs',
    auth: 'user',
    body: () => ({ jobset_id: ids['jobset'], job: 'hello' }),
    ok: 201,
    keep: 'star',
  },
  {
    method: 'DELETE',
    endpoint: '/api/v1/me/starred-jobs/{id}',
    auth: 'user',
    path: () => `/api/v1/me/starred-jobs/${ids['star']}`,
    ok: 204,
  },
  { method: 'GET', endpoint: '/api/v1/search?q=', auth: '-', path: () => '/api/v1/search?q=readme', ok: 200 },
  {
    method: 'GET',
    endpoint: '/api/v1/search/quick?q=',
    auth: '-',
    path: () => '/api/v1/search/quick?q=rea',
    ok: 200,
  },
  {
    method: 'POST',
    endpoint: '/api/v1/webhooks/{pid}/github',
    auth: 'HMAC',
    path: () => `/api/v1/webhooks/${ids['project']}/github`,
    ok: 202,
  },
  {
    method: 'POST',
    endpoint: '/api/v1/webhooks/{pid}/gitea',
    auth: 'HMAC',
    path: () => `/api/v1/webhooks/${ids['project']}/gitea`,
    ok: 202,
  },
  { method: 'GET', endpoint: '/nix-cache/nix-cache-info', auth: '-', ok: 200 },
  {
    method: 'GET',
    endpoint: '/nix-cache/{hash}.narinfo',
    auth: '-',
    path: () => `/nix-cache/${narHash}.narinfo`,
    ok: 200,
  },
  {
    method: 'GET',
    endpoint: '/nix-cache/nar/{hash}.nar.zst',
    auth: '-',
    path: () => `/nix-cache/nar/${narHash}.nar.zst`,
    ok: 200,
  },
];

describe("the FC README's API table", () => {
  it('has all 52 rows here', () => {
    expect(ROWS).toHaveLength(52);
  });

  it.each(ROWS.map((r) => [`${r.method} ${r.endpoint} (${r.auth})`, r] as const))('%s', async (_, row) => {
    const path = row.path?.() ?? row.endpoint;
    const body = row.body?.();
    const [role] = row.auth.split('/');
    if (row.auth === 'HMAC') {
      expect((await call(row.method, path, { body: JSON.parse(push) as unknown })).status).toBe(401);
      const signature = path.endsWith('/github')
        ? { 'x-hub-signature-256': githubSig(push), 'x-github-event': 'push' }
        : { 'x-gitea-signature': giteaSig(push), 'x-gitea-event': 'push' };
      const res = await fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signature },
        body: push,
      });
      expect(res.status).toBe(row.ok);
      return;
    }
    if (row.auth !== '-') {
      // Without credentials: 401, whatever the row.
      expect((await call(row.method, path, { body })).status).toBe(401);
    }
    if (role === 'admin') {
      // A read-only key lacks the role.
      expect((await call(row.method, path, { key: readKey, body })).status).toBe(403);
    }
    const key = row.auth === '-' ? undefined : row.auth === 'user' ? userKey : adminKey;
    const res = await call(row.method, path, { ...(key ? { key } : {}), body });
    const text = await res.text();
    expect({ status: res.status, text: res.status === row.ok ? '' : text }).toEqual({
      status: row.ok,
      text: '',
    });
    if (row.keep) ids[row.keep] = (JSON.parse(text) as { id: number }).id;
  });

  it('answers the README user example with one role as a string, and the PUT changed what it said', async () => {
    const me = await json(await call('GET', '/api/v1/me', { key: userKey }));
    expect(me['user']).toMatchObject({ username: 'dev', email: 'me@example.com' });
    const project = await json(await call('GET', `/api/v1/projects/${ids['project']}`));
    expect(project['description']).toBe('updated with PUT');
    const created = await json(
      await call('POST', '/api/v1/users', {
        key: adminKey,
        body: { username: 'second', password: 'secure-password-here', role: 'admin' },
      }),
    );
    expect(created['roles']).toEqual(['admin']);
    const both = await call('POST', '/api/v1/users', {
      key: adminKey,
      body: { username: 'third', role: 'admin', roles: ['admin'] },
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(await both.json())).toContain('give role or roles, not both');
  });

  it('refuses a jobset named under another project (404), and a flake nix_expression that is neither (400)', async () => {
    const other = await call('GET', `/api/v1/projects/${ids['project']}/jobsets/${ids['fixtureJobset']}`);
    expect(other.status).toBe(404);
    const bad = await call('POST', `/api/v1/projects/${ids['project']}/jobsets`, {
      key: adminKey,
      body: { name: 'bad-flake', nix_expression: 'hydra Jobs', flake_mode: true },
    });
    expect(bad.status).toBe(400);
    const error = (await bad.json()) as {
      error: { details: { fields: { field: string; message: string }[] } };
    };
    expect(error.error.details.fields[0]).toMatchObject({ field: 'nix_expression' });
    expect(error.error.details.fields[0]!.message).toContain('output attribute path');
  });

  it('marks the README routes in the OpenAPI document, beside FC own', async () => {
    const doc = (await json(await call('GET', '/api/v1/openapi.json'))) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.paths['/api/v1/projects/{pid}/jobsets/{id}']!['put']!['x-fc-readme-route']).toBe(true);
    expect(doc.paths['/api/v1/jobsets/{id}']!['patch']!['x-fc-readme-route']).toBeUndefined();
    expect(doc.paths['/api/v1/channels/{id}/promote/{eval}']!['post']!['x-fc-readme-route']).toBe(true);
  });
});
