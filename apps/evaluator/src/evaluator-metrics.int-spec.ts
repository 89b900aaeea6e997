// fc-evaluator's /metrics, scraped from the built daemon (in a database of its own, so no other
// spec's jobsets are evaluated meanwhile) after a succeeded and a failed evaluation.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ResultPromise } from 'execa';
import { requestEvaluation, type Boss } from '@fc/queue';
import { freePort, metricValue, scrapeMetrics, type TestDatabase } from '@fc/testing';
import {
  createJobset,
  gitRepo,
  MK_NIX,
  startEvaluatorTestEnv,
  type EvaluatorTestEnv,
  waitFor,
} from './evaluation-fixtures';

let env: EvaluatorTestEnv;
let db: TestDatabase;
let boss: Boss;
const salt = randomUUID();

function startEvaluator(extraEnv: Record<string, string>): ResultPromise {
  return env.startDaemon('evaluator', {
    ...extraEnv,
    FC_EVALUATOR__POLL_INTERVAL: '1',
    FC_EVALUATOR__WORK_DIR: env.workDir,
  });
}

beforeAll(async () => {
  env = await startEvaluatorTestEnv('fc-evaluator-metrics-');
  ({ db, boss } = env);
}, 60_000);

afterAll(async () => {
  await env.stop();
});

describe('fc-evaluator metrics', () => {
  it('serves Prometheus metrics at evaluator.metrics_port: evaluations by outcome, what they found, the scheduler', async () => {
    const port = await freePort();
    const good = gitRepo({
      'release.nix': `let inherit (import ./lib.nix) mk; in {
        a = mk "metrics-a-${salt}" { };
        b = mk "metrics-b-${salt}" { };
        broken = throw "this job throws";
      }`,
      'lib.nix': MK_NIX,
    });
    const bad = gitRepo({ 'release.nix': '{ a = ' });
    const ok = await createJobset(db.pool, { repositoryUrl: `file://${good}` });
    const failing = await createJobset(db.pool, { repositoryUrl: `file://${bad}` });
    const daemon = startEvaluator({ FC_EVALUATOR__METRICS_PORT: String(port) });
    const url = `http://127.0.0.1:${port}/metrics`;
    const scrape = () => waitFor('the metrics endpoint', () => scrapeMetrics(url).catch(() => undefined));
    const before = await scrape();
    expect(metricValue(before, 'fc_evaluations_running', { service: 'fc-evaluator' })).toBe(0);
    expect(metricValue(before, 'fc_evaluation_jobs_total')).toBe(0);
    await requestEvaluation(db.pool, boss, { jobsetId: ok.jobsetId, force: true, reason: 'api' });
    await requestEvaluation(db.pool, boss, { jobsetId: failing.jobsetId, force: true, reason: 'api' });
    const m = await waitFor('both evaluations counted', async () => {
      const s = await scrapeMetrics(url);
      const done = (outcome: string) => metricValue(s, 'fc_evaluations_total', { outcome }) ?? 0;
      return done('succeeded') >= 1 && done('eval-failed') >= 1 ? s : undefined;
    });
    expect(metricValue(m, 'fc_evaluations_total', { outcome: 'succeeded' })).toBe(1);
    expect(metricValue(m, 'fc_evaluations_total', { outcome: 'eval-failed' })).toBe(1);
    expect(metricValue(m, 'fc_evaluation_duration_seconds_count', { outcome: 'succeeded' })).toBe(1);
    expect(metricValue(m, 'fc_evaluation_duration_seconds_sum', { outcome: 'succeeded' })).toBeGreaterThan(0);
    expect(
      metricValue(m, 'fc_evaluation_duration_seconds_bucket', { outcome: 'eval-failed', le: '+Inf' }),
    ).toBe(1);
    expect(metricValue(m, 'fc_evaluation_jobs_total')).toBe(2);
    expect(metricValue(m, 'fc_evaluation_new_builds_total')).toBe(2);
    expect(metricValue(m, 'fc_evaluation_job_errors_total')).toBe(1);
    expect(metricValue(m, 'fc_evaluation_phase_duration_seconds_count', { phase: 'eval' })).toBe(1);
    expect(metricValue(m, 'fc_evaluations_running')).toBe(0);
    expect(metricValue(m, 'fc_evaluator_scheduler_ticks_total', { result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(m, 'fc_evaluator_scheduler_ticks_total', { result: 'failed' })).toBe(0);
    // Process metrics, as fc-server has.
    expect(metricValue(m, 'fc_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    daemon.kill('SIGTERM');
    expect((await daemon).exitCode).toBe(0);
  }, 60_000);

  it('refuses a metrics_port out of range, naming the key', async () => {
    const daemon = startEvaluator({ FC_EVALUATOR__METRICS_PORT: '70000' });
    const result = await daemon;
    expect(result.exitCode).toBe(2);
    expect(String(result.stderr) + String(result.stdout)).toContain('evaluator.metrics_port');
  }, 30_000);
});
