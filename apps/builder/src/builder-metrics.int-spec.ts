// fc-queue-runner's /metrics, scraped from the built daemon after real builds (one succeeding, one
// failing) and their webhook notifications.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { createBoss, type Boss } from '@fc/queue';
import {
  createTestDatabase,
  freePort,
  metricValue,
  scrapeMetrics,
  startApp,
  type MetricSample,
  type TestDatabase,
  startRecordingServer,
  type RecordingServer,
} from '@fc/testing';
import { createJobset, instantiate, queueBuilds, type Jobset } from './testing/build-fixture';
import { FIXTURE_JOBS, builderEnv, randomNonce, waitForBuild, waitUntil } from './testing/builder-harness';

jest.setTimeout(90_000);

describe('fc-queue-runner: metrics', () => {
  let db: TestDatabase;
  let boss: Boss;
  let jobset: Jobset;
  let hook: RecordingServer;
  const daemons: ResultPromise[] = [];
  const nonce = randomNonce();
  const dirs = {
    logDir: mkdtempSync(join(tmpdir(), 'fc-qr-logs-')),
    rootsDir: mkdtempSync(join(tmpdir(), 'fc-qr-roots-')),
    workDir: mkdtempSync(join(tmpdir(), 'fc-qr-work-')),
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = createBoss({ url: db.url, supervise: false });
    await boss.start();
    jobset = await createJobset(db.pool);
    // The webhook channel: a local server that takes every POST.
    hook = await startRecordingServer({ status: 204 });
  });

  afterAll(async () => {
    for (const d of daemons) {
      d.kill('SIGTERM');
      const r = await d;
      if (r.exitCode !== 0) process.stderr.write(String(r.stderr));
    }
    await hook?.close();
    await boss?.stop({ graceful: false, close: true });
    await db?.drop();
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  });

  async function queue(attr: string): Promise<number> {
    const drv = await instantiate(FIXTURE_JOBS, attr, { nonce });
    const [id] = await queueBuilds(db.pool, boss, jobset, [{ job: attr, drv }]);
    return id!;
  }

  it('counts builds by Hydra status, their duration, steps, Nix sessions and notifications', async () => {
    const port = await freePort();
    const webhook = `${hook.url}/hook`;
    const daemon = startApp('builder', [], {
      env: builderEnv(db.url, dirs, {
        FC_QUEUE_RUNNER__METRICS_PORT: String(port),
        FC_NOTIFICATIONS__WEBHOOK_URL: webhook,
      }),
    });
    daemons.push(daemon);
    const url = `http://127.0.0.1:${port}/metrics`;
    let m: MetricSample[] = [];
    await waitUntil(
      async () => {
        m = await scrapeMetrics(url).catch(() => []);
        return m.length > 0;
      },
      30_000,
      'the metrics endpoint',
    );
    expect(metricValue(m, 'fc_builds_finished_total', { status: '0', service: 'fc-queue-runner' })).toBe(0);
    expect(metricValue(m, 'fc_builds_running')).toBe(0);

    const ok = await queue('succeeds');
    const failed = await queue('fails');
    expect((await waitForBuild(db.pool, ok)).buildStatus).toBe(0);
    expect((await waitForBuild(db.pool, failed)).buildStatus).toBe(1);
    await waitUntil(() => hook.requests.length >= 2, 30_000, 'both webhooks');
    await waitUntil(
      async () => {
        m = await scrapeMetrics(url);
        return (metricValue(m, 'fc_notifications_total', { kind: 'webhook', result: 'delivered' }) ?? 0) >= 2;
      },
      10_000,
      'the webhooks counted',
    );

    expect(metricValue(m, 'fc_builds_finished_total', { status: '0' })).toBe(1);
    expect(metricValue(m, 'fc_builds_finished_total', { status: '1' })).toBe(1);
    expect(metricValue(m, 'fc_build_duration_seconds_count', { status: '0' })).toBe(1);
    expect(metricValue(m, 'fc_build_duration_seconds_count', { status: '1' })).toBe(1);
    expect(metricValue(m, 'fc_build_duration_seconds_sum', { status: '1' })).toBeGreaterThan(0);
    expect(metricValue(m, 'fc_build_steps_total', { status: '0' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(m, 'fc_build_steps_total', { status: '1' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(m, 'fc_builds_running')).toBe(0);
    expect(metricValue(m, 'fc_nix_sessions', { state: 'busy' })).toBe(0);
    // The session of the last build is kept for the next one (retired after a minute).
    expect(metricValue(m, 'fc_nix_sessions', { state: 'idle' })).toBe(1);
    expect(metricValue(m, 'fc_notifications_total', { kind: 'webhook', result: 'delivered' })).toBe(2);
    expect(metricValue(m, 'fc_notifications_total', { kind: 'webhook', result: 'failed' })).toBeUndefined();
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    // Straight to the process (execa's kill() SIGKILLs 5 s later): the endpoint closes with the rest.
    process.kill(daemon.pid!, 'SIGTERM');
    expect((await daemon).exitCode).toBe(0);
  });

  it('refuses a metrics_port that is not a number, naming the key', async () => {
    const r = await startApp('builder', [], {
      env: builderEnv(db.url, dirs, { FC_QUEUE_RUNNER__METRICS_PORT: 'x' }),
    });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr) + String(r.stdout)).toContain('queue_runner.metrics_port');
  });
});
