import { describe, expect, it } from '@jest/globals';
import { Counter, Gauge, Registry } from 'prom-client';
import { metricsText } from './exposition';

describe('metricsText', () => {
  it('exposes a gauge named _total as untyped, and leaves counters and other gauges as they are', async () => {
    const registry = new Registry();
    new Gauge({ name: 'fc_things_total', help: 'things', registers: [registry] }).set(3);
    new Gauge({ name: 'fc_things_running', help: 'running', registers: [registry] }).set(1);
    new Counter({ name: 'fc_done_total', help: 'done', registers: [registry] }).inc();
    const text = await metricsText(registry);
    expect(text).toContain('# TYPE fc_things_total untyped\nfc_things_total 3\n');
    expect(text).toContain('# TYPE fc_things_running gauge\n');
    expect(text).toContain('# TYPE fc_done_total counter\n');
  });
});
