// The notify-build consumer against real PostgreSQL and pg-boss, a real HTTP server standing in for
// the webhook receiver, GitHub's and Gitea's APIs (it records every request and answers as told),
// and real commands through /bin/sh: what each channel receives, retries of transient failures,
// final 4xx and exit statuses, timeouts that kill the command's process group, and once-per-finish.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { loadConfig, type FcConfig } from '@fc/config';
import { listBuildDeliveries, type Pool } from '@fc/db';
import { createSilentLogger } from '@fc/logging';
import { createBoss, ensureQueues, sendJob, QueueName, type Boss } from '@fc/queue';
import {
  createTestDatabase,
  startApp,
  startRecordingServer,
  type RecordingServer,
  type TestDatabase,
} from '@fc/testing';
import { createJobset, instantiate, queueBuilds } from '../testing/build-fixture';
import { FIXTURE_JOBS, builderEnv, randomNonce, waitForBuild, waitUntil } from '../testing/builder-harness';
import { notifyBuild, TransientNotificationError, type NotifyBuildDeps } from './notify-build.handler';
import { startNotificationWorker, type NotificationWorker } from './notification-worker';

const GITHUB_SHA = '1'.repeat(40);
const GITEA_SHA = '2'.repeat(40);

let db: TestDatabase;
let pool: Pool;
let http: RecordingServer;
let scratch: string;
let jobsetIds: { projectId: number; jobsetId: number; evaluationId: number };

const GITHUB_PATH = `/github/repos/acme/app/statuses/${GITHUB_SHA}`;
const GITEA_PATH = `/gitea/api/v1/repos/team/lib/statuses/${GITEA_SHA}`;

function configWith(env: Record<string, string>): FcConfig {
  return loadConfig({ cwd: '/nonexistent', env: { FC_DATABASE__URL: db.url, ...env } });
}

function fullConfig(extra: Record<string, string> = {}): FcConfig {
  return configWith({
    FC_NOTIFICATIONS__WEBHOOK_URL: `${http.url}/hook?token=s3cret`,
    FC_NOTIFICATIONS__RUN_COMMAND: `cat > ${join(scratch, 'stdin-$$.json')}; cp "$HYDRA_JSON" ${join(scratch, 'file.json')}; echo ran for build`,
    FC_NOTIFICATIONS__GITHUB_TOKEN: 'gh-token',
    FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme',
    FC_NOTIFICATIONS__GITHUB_API_URL: `${http.url}/github`,
    FC_NOTIFICATIONS__GITEA_URL: `${http.url}/gitea`,
    FC_NOTIFICATIONS__GITEA_TOKEN: 'gt-token',
    FC_NOTIFICATIONS__GITEA_TOKEN_OWNERS: 'team',
    FC_NOTIFICATIONS__TIMEOUT: '5',
    FC_SERVER__BASE_URL: 'https://ci.example.org/',
    ...extra,
  });
}

function depsFor(config: FcConfig): NotifyBuildDeps {
  return { pool, logger: createSilentLogger(), config, workDir: join(scratch, 'work') };
}

/** A finished build with outputs, products and metrics, in an evaluation that fetched a GitHub and a Gitea repository. */
async function finishedBuild(status = 0): Promise<number> {
  const r = await pool.query<{ id: string }>(
    `INSERT INTO builds (project_id, jobset_id, evaluation_id, job, nix_name, drv_path, system, description,
       license, homepage, finished, build_status, created_at, started_at, stopped_at)
     VALUES ($1, $2, $3, 'hello', 'hello-1.0', '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-hello-1.0.drv',
       'x86_64-linux', 'Says hello', 'GPL', 'https://example.org', true, $4,
       '2024-01-02T03:04:05Z', '2024-01-02T03:05:00Z', clock_timestamp())
     RETURNING id`,
    [jobsetIds.projectId, jobsetIds.jobsetId, jobsetIds.evaluationId, status],
  );
  const id = Number(r.rows[0]!.id);
  await pool.query(
    `INSERT INTO build_outputs (build_id, name, path) VALUES ($1, 'out', '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-hello-1.0'),
       ($1, 'doc', '/nix/store/cccccccccccccccccccccccccccccccc-hello-1.0-doc')`,
    [id],
  );
  await pool.query(
    `INSERT INTO build_products (build_id, product_nr, type, subtype, file_size, sha256, path, name, default_path)
     VALUES ($1, 1, 'file', 'source-dist', 42, 'abc123', '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-hello-1.0/hello.tar.gz', 'hello.tar.gz', NULL)`,
    [id],
  );
  await pool.query(
    `INSERT INTO build_metrics (build_id, name, unit, value, project_id, jobset_id, job)
     VALUES ($1, 'lineCoverage', '%', 18, $2, $3, 'hello')`,
    [id, jobsetIds.projectId, jobsetIds.jobsetId],
  );
  return id;
}

function job(buildId: number, retryCount = 0, retryLimit = 3) {
  return {
    id: `job-${buildId}-${retryCount}`,
    data: { buildId, event: 'finished' as const },
    retryCount,
    retryLimit,
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.pool;
  http = await startRecordingServer();
  scratch = mkdtempSync(join(tmpdir(), 'fc-notify-'));
  const p = await pool.query<{ id: string }>(
    `INSERT INTO projects (name, repository_url) VALUES ('acme', 'https://github.com/acme/app.git') RETURNING id`,
  );
  const projectId = Number(p.rows[0]!.id);
  const j = await pool.query<{ id: string }>(
    `INSERT INTO jobsets (project_id, name, nix_expression) VALUES ($1, 'main', 'release.nix') RETURNING id`,
    [projectId],
  );
  const jobsetId = Number(j.rows[0]!.id);
  const e = await pool.query<{ id: string }>(
    `INSERT INTO evaluations (jobset_id, project_id, status, input_revisions) VALUES ($1, $2, 'succeeded', $3) RETURNING id`,
    [
      jobsetId,
      projectId,
      JSON.stringify({
        repository: { uri: 'https://github.com/acme/app.git', branch: null, rev: GITHUB_SHA, revCount: 3 },
        lib: { type: 'git', uri: 'git@127.0.0.1:team/lib.git', branch: 'main', rev: GITEA_SHA, revCount: 1 },
        other: { type: 'git', uri: 'https://gitlab.example.org/x/y', branch: null, rev: '3'.repeat(40) },
        // On GitHub, but an owner FC has no token for: no status, and no token sent there.
        tool: { type: 'git', uri: 'https://github.com/stranger/tool', branch: null, rev: '4'.repeat(40) },
        flag: { type: 'boolean', value: 'true' },
      }),
    ],
  );
  jobsetIds = { projectId, jobsetId, evaluationId: Number(e.rows[0]!.id) };
});

afterAll(async () => {
  await http?.close();
  await db?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  http.requests.length = 0;
  http.answers.clear();
});

const expectedJson = (id: number, status: number) => ({
  event: 'buildFinished',
  build: id,
  finished: true,
  timestamp: Date.parse('2024-01-02T03:04:05Z') / 1000,
  project: 'acme',
  jobset: 'main',
  job: 'hello',
  drvPath: '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-hello-1.0.drv',
  startTime: Date.parse('2024-01-02T03:05:00Z') / 1000,
  stopTime: expect.any(Number),
  buildStatus: status,
  nixName: 'hello-1.0',
  system: 'x86_64-linux',
  homepage: 'https://example.org',
  description: 'Says hello',
  license: 'GPL',
  outputs: [
    { name: 'doc', path: '/nix/store/cccccccccccccccccccccccccccccccc-hello-1.0-doc' },
    { name: 'out', path: '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-hello-1.0' },
  ],
  products: [
    {
      productNr: 1,
      type: 'file',
      subtype: 'source-dist',
      fileSize: 42,
      sha256hash: 'abc123',
      path: '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-hello-1.0/hello.tar.gz',
      name: 'hello.tar.gz',
      defaultPath: null,
    },
  ],
  metrics: [{ name: 'lineCoverage', unit: '%', value: 18 }],
});

describe('notifyBuild', () => {
  it('delivers the Hydra JSON to the webhook and the command, and commit statuses to GitHub and Gitea', async () => {
    const id = await finishedBuild(0);
    // The Gitea instance is the recording server: its host is 127.0.0.1.
    const summary = await notifyBuild(depsFor(fullConfig()), job(id));
    expect(summary).toEqual({ delivered: 4, failed: 0, skipped: 0, retrying: 0 });

    const hook = http.to('/hook?token=s3cret');
    expect(hook).toHaveLength(1);
    expect(hook[0]!.method).toBe('POST');
    expect(hook[0]!.headers['content-type']).toBe('application/json');
    expect(hook[0]!.body).toEqual(expectedJson(id, 0));

    const fromFile = JSON.parse(readFileSync(join(scratch, 'file.json'), 'utf8')) as unknown;
    expect(fromFile).toEqual(expectedJson(id, 0));
    const stdinFile = readdirJson(scratch).find((f) => f.startsWith('stdin-'));
    expect(JSON.parse(readFileSync(join(scratch, stdinFile!), 'utf8'))).toEqual(fromFile);

    const gh = http.to(GITHUB_PATH);
    expect(gh).toHaveLength(1);
    expect(gh[0]!.headers['authorization']).toBe('Bearer gh-token');
    expect(gh[0]!.body).toEqual({
      state: 'success',
      context: 'fc:acme:main:hello',
      description: `Build ${id} succeeded`,
      target_url: `https://ci.example.org/build/${id}`,
    });
    const gt = http.to(GITEA_PATH);
    expect(gt).toHaveLength(1);
    expect(gt[0]!.headers['authorization']).toBe('token gt-token');
    expect(gt[0]!.body).toMatchObject({ state: 'success', context: 'fc:acme:main:hello' });
    // gitlab.example.org is neither forge, and stranger has no token: no status there.
    expect(http.requests).toHaveLength(3);

    const rows = await listBuildDeliveries(pool, id);
    expect(rows.map((r) => [r.kind, r.target, r.status, r.attempts])).toEqual([
      ['webhook', `${http.url}/hook`, 'delivered', 1],
      ['run_command', fullConfig().notifications.run_command, 'delivered', 1],
      ['gitea_status', `127.0.0.1/team/lib@${GITEA_SHA}`, 'delivered', 1],
      ['github_status', `github.com/acme/app@${GITHUB_SHA}`, 'delivered', 1],
    ]);
    expect(rows[0]!.httpStatus).toBe(201);
    expect(rows[1]).toMatchObject({ exitCode: 0, outputTail: 'ran for build\n' });

    // The same job again (a duplicate or a retry): nothing is delivered twice.
    expect(await notifyBuild(depsFor(fullConfig()), job(id, 1))).toEqual({
      delivered: 0,
      failed: 0,
      skipped: 4,
      retrying: 0,
    });
    expect(http.requests).toHaveLength(3);
  });

  it("sends each owner's own token (github_authorization), and none to an owner without one", async () => {
    const config = configWith({
      FC_NOTIFICATIONS__GITHUB_AUTHORIZATION: JSON.stringify({
        ACME: 'acme-own-token',
        other: 'other-token',
      }),
      FC_NOTIFICATIONS__GITHUB_API_URL: `${http.url}/github`,
    });
    const id = await finishedBuild(0);
    expect(await notifyBuild(depsFor(config), job(id))).toMatchObject({ delivered: 1, failed: 0 });
    expect(http.requests.map((r) => [r.path, r.headers['authorization']])).toEqual([
      [GITHUB_PATH, 'Bearer acme-own-token'],
    ]);
  });

  it('maps failed and aborted builds to failure and error statuses', async () => {
    const config = configWith({
      FC_NOTIFICATIONS__GITHUB_TOKEN: 'gh-token',
      FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme',
      FC_NOTIFICATIONS__GITHUB_API_URL: `${http.url}/github/`,
    });
    const failed = await finishedBuild(1);
    const cancelled = await finishedBuild(4);
    await notifyBuild(depsFor(config), job(failed));
    await notifyBuild(depsFor(config), job(cancelled));
    expect(http.to(GITHUB_PATH).map((r) => r.body)).toEqual([
      { state: 'failure', context: 'fc:acme:main:hello', description: `Build ${failed} failed` },
      { state: 'error', context: 'fc:acme:main:hello', description: `Build ${cancelled} cancelled` },
    ]);
  });

  it('keeps a 5xx or a refused connection pending for a retry, and gives up on the last attempt', async () => {
    const id = await finishedBuild(0);
    http.answers.set('/hook', [503]);
    const closed = await startRecordingServer();
    const refusedUrl = `${closed.url}/github`;
    await closed.close();
    const config = configWith({
      FC_NOTIFICATIONS__WEBHOOK_URL: `${http.url}/hook`,
      FC_NOTIFICATIONS__GITHUB_TOKEN: 'gh-token',
      FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme',
      FC_NOTIFICATIONS__GITHUB_API_URL: refusedUrl,
    });
    const first = notifyBuild(depsFor(config), job(id, 0, 2));
    await expect(first).rejects.toBeInstanceOf(TransientNotificationError);
    await expect(first).rejects.toThrow(/webhook: POST http:\/\/127\.0\.0\.1:\d+\/hook answered 503/);
    let rows = await listBuildDeliveries(pool, id);
    expect(rows.map((r) => [r.kind, r.status, r.attempts, r.retryable, r.httpStatus])).toEqual([
      ['webhook', 'pending', 1, true, 503],
      ['github_status', 'pending', 1, true, null],
    ]);
    expect(rows[1]!.lastError).toMatch(/ECONNREFUSED/);

    // The retry: the webhook answers now, GitHub still refuses; not the last attempt, so it stays pending.
    await expect(notifyBuild(depsFor(config), job(id, 1, 2))).rejects.toThrow(/github_status/);
    rows = await listBuildDeliveries(pool, id);
    expect(rows.map((r) => [r.kind, r.status, r.attempts])).toEqual([
      ['webhook', 'delivered', 2],
      ['github_status', 'pending', 2],
    ]);
    expect(http.to('/hook')).toHaveLength(2);

    // The last attempt records the failure and completes the job.
    expect(await notifyBuild(depsFor(config), job(id, 2, 2))).toEqual({
      delivered: 0,
      failed: 1,
      skipped: 1,
      retrying: 0,
    });
    rows = await listBuildDeliveries(pool, id);
    expect(rows.map((r) => [r.kind, r.status, r.attempts])).toEqual([
      ['webhook', 'delivered', 2],
      ['github_status', 'failed', 3],
    ]);
  });

  it('records a 4xx as final: not retried', async () => {
    const id = await finishedBuild(0);
    http.answers.set(GITHUB_PATH, [422]);
    const config = configWith({
      FC_NOTIFICATIONS__GITHUB_TOKEN: 'gh-token',
      FC_NOTIFICATIONS__GITHUB_TOKEN_OWNERS: 'acme',
      FC_NOTIFICATIONS__GITHUB_API_URL: `${http.url}/github`,
    });
    expect(await notifyBuild(depsFor(config), job(id))).toEqual({
      delivered: 0,
      failed: 1,
      skipped: 0,
      retrying: 0,
    });
    const [row] = await listBuildDeliveries(pool, id);
    expect(row).toMatchObject({ status: 'failed', retryable: false, httpStatus: 422, attempts: 1 });
    expect(row!.lastError).toMatch(/answered 422: \{"message":"answered 422"\}/);
    expect(await notifyBuild(depsFor(config), job(id, 1))).toMatchObject({ skipped: 1 });
    expect(http.to(GITHUB_PATH)).toHaveLength(1);
  });

  it("records a command's non-zero exit and output tail as final", async () => {
    const id = await finishedBuild(0);
    const config = configWith({
      FC_NOTIFICATIONS__RUN_COMMAND: 'echo to stdout; echo to stderr >&2; exit 3',
    });
    expect(await notifyBuild(depsFor(config), job(id))).toMatchObject({ failed: 1 });
    const [row] = await listBuildDeliveries(pool, id);
    expect(row).toMatchObject({
      status: 'failed',
      retryable: false,
      exitCode: 3,
      outputTail: 'to stdout\nto stderr\n',
      lastError: 'run_command exited with status 3',
    });
    // The $HYDRA_JSON file does not outlive the command.
    expect(existsSync(join(scratch, 'work', 'notifications'))).toBe(false);
  });

  it("kills a command's whole process group at the deadline, and retries it", async () => {
    const id = await finishedBuild(0);
    const pidFile = join(scratch, 'sleeper.pid');
    const config = configWith({
      FC_NOTIFICATIONS__RUN_COMMAND: `sleep 60 & echo $! > ${pidFile}; echo started; wait`,
      FC_NOTIFICATIONS__TIMEOUT: '1',
    });
    const started = Date.now();
    await expect(notifyBuild(depsFor(config), job(id, 0, 1))).rejects.toThrow(/did not finish within 1 s/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const sleeper = Number(readFileSync(pidFile, 'utf8'));
    await waitUntil(() => !alive(sleeper), 5000, 'the background sleep to be killed');
    const [row] = await listBuildDeliveries(pool, id);
    expect(row).toMatchObject({
      status: 'pending',
      retryable: true,
      exitCode: null,
      outputTail: 'started\n',
    });
    // Last attempt: failed for good.
    expect(await notifyBuild(depsFor(config), job(id, 1, 1))).toMatchObject({ failed: 1 });
    expect((await listBuildDeliveries(pool, id))[0]).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('reports each finish of a restarted build once, and nothing for a build that is running again', async () => {
    const id = await finishedBuild(1);
    const config = configWith({ FC_NOTIFICATIONS__WEBHOOK_URL: `${http.url}/hook` });
    await notifyBuild(depsFor(config), job(id));
    await pool.query(
      `UPDATE builds SET finished = false, build_status = NULL, stopped_at = NULL WHERE id = $1`,
      [id],
    );
    expect(await notifyBuild(depsFor(config), job(id, 1))).toEqual({
      delivered: 0,
      failed: 0,
      skipped: 0,
      retrying: 0,
    });
    await pool.query(
      `UPDATE builds SET finished = true, build_status = 0, stopped_at = clock_timestamp() WHERE id = $1`,
      [id],
    );
    await notifyBuild(depsFor(config), job(id));
    expect(http.to('/hook').map((r) => (r.body as { buildStatus: number }).buildStatus)).toEqual([1, 0]);
    expect((await listBuildDeliveries(pool, id)).map((r) => r.status)).toEqual(['delivered', 'delivered']);
  });

  it('holds no transaction or lock while a receiver is slow to answer, and records the outcome after', async () => {
    const id = await finishedBuild(0);
    // A receiver that answers only when the spec lets it.
    let received!: () => void;
    const requestArrived = new Promise<void>((r) => (received = r));
    let answer!: () => void;
    const answered = new Promise<void>((r) => (answer = r));
    const slow = createServer((req, res) => {
      req.resume();
      received();
      void answered.then(() => res.writeHead(200).end('{}'));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow`;
    try {
      const config = configWith({ FC_NOTIFICATIONS__WEBHOOK_URL: url, FC_NOTIFICATIONS__TIMEOUT: '30' });
      const delivering = notifyBuild(depsFor(config), job(id));
      await requestArrived;
      // Another connection, while the POST waits for its answer: no transaction open, the row not locked.
      const observer = await pool.connect();
      try {
        const open = await observer.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`,
        );
        expect(open.rows[0]!.n).toBe(0);
        await observer.query('BEGIN');
        const locked = await observer.query(
          'SELECT id FROM notification_deliveries WHERE build_id = $1 FOR UPDATE NOWAIT',
          [id],
        );
        expect(locked.rowCount).toBe(1);
        await observer.query('ROLLBACK');
      } finally {
        observer.release();
      }
      expect((await listBuildDeliveries(pool, id)).map((r) => [r.status, r.attempts])).toEqual([
        ['pending', 1],
      ]);
      answer();
      expect(await delivering).toMatchObject({ delivered: 1 });
      expect((await listBuildDeliveries(pool, id)).map((r) => r.status)).toEqual(['delivered']);
    } finally {
      answer();
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });
});

describe('startNotificationWorker', () => {
  let boss: Boss;
  let worker: NotificationWorker | undefined;

  beforeAll(async () => {
    boss = createBoss({ url: db.url, supervise: true, superviseIntervalSeconds: 1 });
    boss.on('error', () => undefined);
    await boss.start();
    await ensureQueues(boss, { buildExpireSeconds: 3600, buildRetryLimit: 1 });
    // The queue's retries, sooner than in production.
    await boss.updateQueue(QueueName.NotifyBuild, { retryDelay: 1, retryBackoff: false, retryLimit: 3 });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, close: true });
  });

  it('consumes notify-build jobs and retries a transient failure through pg-boss', async () => {
    const id = await finishedBuild(0);
    http.answers.set('/hook', [502]);
    const config = configWith({
      FC_NOTIFICATIONS__WEBHOOK_URL: `${http.url}/hook`,
      FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
      FC_QUEUE_RUNNER__WORK_DIR: join(scratch, 'qr'),
    });
    worker = await startNotificationWorker({ pool, boss, logger: createSilentLogger(), config });
    await sendJob(boss, QueueName.NotifyBuild, { buildId: id, event: 'finished' });
    await waitUntil(
      async () => (await listBuildDeliveries(pool, id))[0]?.status === 'delivered',
      30_000,
      'the webhook to be delivered on the retry',
    );
    expect(http.to('/hook')).toHaveLength(2);
    expect((await listBuildDeliveries(pool, id))[0]).toMatchObject({ attempts: 2, httpStatus: 201 });
    await waitUntil(
      async () =>
        (
          await pool.query(
            `SELECT 1 FROM pgboss.job WHERE name = 'notify-build' AND (data->>'buildId')::int = $1 AND state = 'completed'`,
            [id],
          )
        ).rowCount === 1,
      10_000,
      'the job to complete',
    );
  });

  it('with no channel configured, completes the jobs and delivers nothing', async () => {
    const ids = [await finishedBuild(0), await finishedBuild(1), await finishedBuild(0)];
    const config = configWith({
      FC_QUEUE_RUNNER__POLL_INTERVAL: '1',
      FC_QUEUE_RUNNER__WORK_DIR: join(scratch, 'qr-unconfigured'),
    });
    for (const buildId of ids) await sendJob(boss, QueueName.NotifyBuild, { buildId, event: 'finished' });
    worker = await startNotificationWorker({ pool, boss, logger: createSilentLogger(), config });
    await waitUntil(
      async () =>
        (
          await pool.query(
            `SELECT 1 FROM pgboss.job WHERE name = 'notify-build' AND (data->>'buildId')::int = ANY($1)
             AND state = 'completed'`,
            [ids],
          )
        ).rowCount === ids.length,
      10_000,
      'the jobs to complete',
    );
    for (const id of ids) expect(await listBuildDeliveries(pool, id)).toEqual([]);
  });
});

describe('fc-queue-runner (built daemon)', () => {
  it('builds a derivation with Nix and POSTs its JSON to notifications.webhook_url', async () => {
    const dirs = {
      logDir: mkdtempSync(join(tmpdir(), 'fc-notify-logs-')),
      rootsDir: mkdtempSync(join(tmpdir(), 'fc-notify-roots-')),
      workDir: mkdtempSync(join(tmpdir(), 'fc-notify-work-')),
    };
    const boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    const daemon = startApp('builder', [], {
      env: builderEnv(db.url, dirs, { FC_NOTIFICATIONS__WEBHOOK_URL: `${http.url}/daemon-hook` }),
    });
    try {
      const jobset = await createJobset(pool, 'notified');
      const drv = await instantiate(FIXTURE_JOBS, 'succeeds', { nonce: randomNonce() });
      const [id] = await queueBuilds(pool, boss, jobset, [{ job: 'succeeds', drv }]);
      await waitForBuild(pool, id!, (b) => b.finished, 90_000);
      await waitUntil(() => http.to('/daemon-hook').length > 0, 30_000, 'the webhook POST');
      const body = http.to('/daemon-hook')[0]!.body as Record<string, unknown>;
      expect(body).toMatchObject({
        event: 'buildFinished',
        build: id,
        project: 'notified',
        jobset: 'main',
        job: 'succeeds',
        buildStatus: 0,
        drvPath: drv.drvPath,
        outputs: drv.outputs
          .map((o) => ({ name: o.name, path: o.path }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      });
      // The delivery is recorded after the POST's answer: wait for it rather than race it.
      await waitUntil(
        async () => {
          const status = (await listBuildDeliveries(pool, id!))[0]?.status;
          return status !== undefined && status !== 'pending';
        },
        10_000,
        'the delivery to be recorded',
      );
      expect((await listBuildDeliveries(pool, id!)).map((r) => r.status)).toEqual(['delivered']);
    } finally {
      daemon.kill('SIGTERM');
      const r = await daemon;
      if (r.exitCode !== 0) process.stderr.write(String(r.stderr));
      await boss.stop({ graceful: false, close: true });
      for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
    }
  }, 150_000);
});

function readdirJson(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json'));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
