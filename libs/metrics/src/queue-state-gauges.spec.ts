import { describe, expect, it } from '@jest/globals';
import { metricValue, parseMetrics } from '@fc/testing';
import { createMetricsRegistry } from './metrics-registry';
import { registerQueueStateGauges, type QueueStateSnapshot } from './queue-state-gauges';

describe('registerQueueStateGauges', () => {
  it('fills every gauge from one read per scrape; a drained label set reads 0', async () => {
    const registry = createMetricsRegistry({ service: 'fc-server', processMetrics: false });
    const snapshots: QueueStateSnapshot[] = [
      {
        builds: [
          { system: 'x86_64-linux', queued: 3, running: 1 },
          { system: 'aarch64-linux', queued: 2, running: 0 },
        ],
        oldestQueuedAgeSeconds: 42.5,
        evaluationsRunning: 2,
        jobs: [
          { queue: 'build-derivation', state: 'created', count: 5 },
          { queue: 'build-derivation', state: 'active', count: 1 },
        ],
      },
      { builds: [], oldestQueuedAgeSeconds: 0, evaluationsRunning: 0, jobs: [] },
    ];
    let reads = 0;
    registerQueueStateGauges(registry, () => Promise.resolve(snapshots[reads++]!));
    let s = parseMetrics(await registry.metrics());
    expect(reads).toBe(1);
    expect(metricValue(s, 'fc_builds_queued')).toBe(5);
    expect(metricValue(s, 'fc_builds_running')).toBe(1);
    expect(metricValue(s, 'fc_builds_queued_by_system', { system: 'x86_64-linux' })).toBe(3);
    expect(metricValue(s, 'fc_builds_queued_by_system', { system: 'aarch64-linux' })).toBe(2);
    expect(metricValue(s, 'fc_builds_oldest_queued_age_seconds')).toBe(42.5);
    expect(metricValue(s, 'fc_evaluations_running')).toBe(2);
    expect(metricValue(s, 'fc_queue_jobs', { queue: 'build-derivation', state: 'created' })).toBe(5);
    expect(metricValue(s, 'fc_queue_jobs', { queue: 'build-derivation', state: 'active' })).toBe(1);

    await new Promise((r) => setTimeout(r, 5));
    s = parseMetrics(await registry.metrics());
    expect(reads).toBe(2);
    expect(metricValue(s, 'fc_builds_queued')).toBe(0);
    expect(metricValue(s, 'fc_builds_queued_by_system', { system: 'x86_64-linux' })).toBe(0);
    expect(metricValue(s, 'fc_queue_jobs', { queue: 'build-derivation', state: 'created' })).toBe(0);
    expect(metricValue(s, 'fc_builds_oldest_queued_age_seconds')).toBe(0);
  });
});
