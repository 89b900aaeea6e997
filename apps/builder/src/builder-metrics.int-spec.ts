// fc-queue-runner's /metrics, scraped from the built daemon after real builds (one succeeding, one
// failing) and their webhook notifications.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  freePort,
  metricValue,
  scrapeMetrics,
  type MetricSample,
  startRecordingServer,
  type RecordingServer,
} from '@fc/testing';
import { waitForBuild, waitUntil, setUpQueueRunner } from './testing/builder-harness';

jest.setTimeout(90_000);

describe('fc-queue-runner: metrics', () => {
  const qr = setUpQueueRunner({ start: false });
  let hook: RecordingServer;

  beforeAll(async () => {
    // The webhook channel: a local server that takes every POST.
    hook = await startRecordingServer({ status: 204 });
  });

  afterAll(async () => {
    await hook?.close();
  });

  it('counts builds by Hydra status, their duration, steps, Nix sessions and notifications', async () => {
    const port = await freePort();
    const webhook = `${hook.url}/hook`;
    const daemon = qr.startBuilder({
      FC_QUEUE_RUNNER__METRICS_PORT: String(port),
      FC_NOTIFICATIONS__WEBHOOK_URL: webhook,
    });
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

    const ok = await qr.queue('succeeds');
    const failed = await qr.queue('fails');
    expect((await waitForBuild(qr.pool, ok)).buildStatus).toBe(0);
    expect((await waitForBuild(qr.pool, failed)).buildStatus).toBe(1);
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
    const r = await qr.startBuilder({ FC_QUEUE_RUNNER__METRICS_PORT: 'x' });
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr) + String(r.stdout)).toContain('queue_runner.metrics_port');
  });
});
