import { describe, expect, it } from '@jest/globals';
import { metricValue, parseMetrics } from '@fc/testing';
import { createEvaluatorMetrics } from './evaluator-metrics';
import { createMetricsRegistry } from './metrics-registry';

function setup() {
  const registry = createMetricsRegistry({ service: 'fc-evaluator', processMetrics: false });
  const metrics = createEvaluatorMetrics(registry);
  const scrape = async () => parseMetrics(await registry.metrics());
  return { metrics, scrape };
}

describe('createEvaluatorMetrics', () => {
  it('counts an evaluation as running until its outcome, then by outcome and duration, once', async () => {
    const { metrics, scrape } = setup();
    const done = metrics.evaluationStarted();
    expect(metricValue(await scrape(), 'fc_evaluations_running')).toBe(1);
    done('succeeded');
    done('eval-failed');
    const s = await scrape();
    expect(metricValue(s, 'fc_evaluations_running', { service: 'fc-evaluator' })).toBe(0);
    expect(metricValue(s, 'fc_evaluations_total', { outcome: 'succeeded' })).toBe(1);
    expect(metricValue(s, 'fc_evaluations_total', { outcome: 'eval-failed' })).toBeUndefined();
    expect(metricValue(s, 'fc_evaluation_duration_seconds_count', { outcome: 'succeeded' })).toBe(1);
  });

  it('adds up what recorded evaluations found, and their phases in seconds', async () => {
    const { metrics, scrape } = setup();
    metrics.evaluationRecorded({
      jobs: 3,
      newBuilds: 2,
      jobErrors: 1,
      checkoutDurationMs: 1500,
      evalDurationMs: 250,
    });
    metrics.evaluationRecorded({
      jobs: 4,
      newBuilds: 0,
      jobErrors: 0,
      checkoutDurationMs: 10,
      evalDurationMs: 20,
    });
    const s = await scrape();
    expect(metricValue(s, 'fc_evaluation_jobs_total')).toBe(7);
    expect(metricValue(s, 'fc_evaluation_new_builds_total')).toBe(2);
    expect(metricValue(s, 'fc_evaluation_job_errors_total')).toBe(1);
    expect(metricValue(s, 'fc_evaluation_phase_duration_seconds_sum', { phase: 'checkout' })).toBeCloseTo(
      1.51,
    );
    expect(metricValue(s, 'fc_evaluation_phase_duration_seconds_sum', { phase: 'eval' })).toBeCloseTo(0.27);
    expect(metricValue(s, 'fc_evaluation_phase_duration_seconds_bucket', { phase: 'eval', le: '0.5' })).toBe(
      2,
    );
  });

  it('counts scheduler passes by result (both series from the start) and declarative applies', async () => {
    const { metrics, scrape } = setup();
    expect(metricValue(await scrape(), 'fc_evaluator_scheduler_ticks_total', { result: 'failed' })).toBe(0);
    metrics.schedulerTick({ failed: false, declarativeApplied: 2 });
    metrics.schedulerTick({ failed: true, declarativeApplied: 0 });
    metrics.schedulerTick({ failed: false, declarativeApplied: 0 });
    const s = await scrape();
    expect(metricValue(s, 'fc_evaluator_scheduler_ticks_total', { result: 'ok' })).toBe(2);
    expect(metricValue(s, 'fc_evaluator_scheduler_ticks_total', { result: 'failed' })).toBe(1);
    expect(metricValue(s, 'fc_evaluator_declarative_applies_total')).toBe(2);
  });
});
