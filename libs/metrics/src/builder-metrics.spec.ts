import { describe, expect, it } from '@jest/globals';
import { metricValue, parseMetrics } from '@fc/testing';
import { createBuilderMetrics } from './builder-metrics';
import { createMetricsRegistry } from './metrics-registry';

function setup() {
  const registry = createMetricsRegistry({ service: 'fc-queue-runner', processMetrics: false });
  const metrics = createBuilderMetrics(registry);
  const scrape = async () => parseMetrics(await registry.metrics());
  return { metrics, scrape };
}

describe('createBuilderMetrics', () => {
  it('counts finished builds by status code; duration only for builds Nix ran', async () => {
    const { metrics, scrape } = setup();
    metrics.buildFinished(0, 12);
    metrics.buildFinished(1, 3);
    metrics.buildFinished(9);
    const s = await scrape();
    expect(metricValue(s, 'fc_builds_finished_total', { status: '0', service: 'fc-queue-runner' })).toBe(1);
    expect(metricValue(s, 'fc_builds_finished_total', { status: '1' })).toBe(1);
    expect(metricValue(s, 'fc_builds_finished_total', { status: '9' })).toBe(1);
    expect(metricValue(s, 'fc_build_duration_seconds_sum', { status: '0' })).toBe(12);
    expect(metricValue(s, 'fc_build_duration_seconds_bucket', { status: '1', le: '1' })).toBe(0);
    expect(metricValue(s, 'fc_build_duration_seconds_bucket', { status: '1', le: '5' })).toBe(1);
    expect(metricValue(s, 'fc_build_duration_seconds_count', { status: '9' })).toBeUndefined();
  });

  it('counts a running build once, however often its end is reported', async () => {
    const { metrics, scrape } = setup();
    const a = metrics.buildStarted();
    metrics.buildStarted();
    expect(metricValue(await scrape(), 'fc_builds_running')).toBe(2);
    a();
    a();
    expect(metricValue(await scrape(), 'fc_builds_running')).toBe(1);
  });

  it('counts steps and notification attempts by their labels, and reads Nix sessions at scrape time', async () => {
    const { metrics, scrape } = setup();
    metrics.stepFinished(0);
    metrics.stepFinished(0);
    metrics.stepFinished(1);
    metrics.notificationAttempted('webhook', 'delivered');
    metrics.notificationAttempted('run_command', 'retrying');
    let sessions = { idle: 1, busy: 2 };
    metrics.observeNixSessions(() => sessions);
    let s = await scrape();
    expect(metricValue(s, 'fc_build_steps_total', { status: '0' })).toBe(2);
    expect(metricValue(s, 'fc_build_steps_total', { status: '1' })).toBe(1);
    expect(metricValue(s, 'fc_notifications_total', { kind: 'webhook', result: 'delivered' })).toBe(1);
    expect(metricValue(s, 'fc_notifications_total', { kind: 'run_command', result: 'retrying' })).toBe(1);
    expect(metricValue(s, 'fc_nix_sessions', { state: 'busy' })).toBe(2);
    sessions = { idle: 3, busy: 0 };
    s = await scrape();
    expect(metricValue(s, 'fc_nix_sessions', { state: 'idle' })).toBe(3);
    expect(metricValue(s, 'fc_nix_sessions', { state: 'busy' })).toBe(0);
  });
});
