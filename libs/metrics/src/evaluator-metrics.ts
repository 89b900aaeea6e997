// fc-evaluator's metrics: evaluations by outcome and duration, what they recorded, and the scheduler.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What a recorded (succeeded) evaluation found. */
export interface RecordedEvaluationCounts {
  readonly jobs: number;
  readonly newBuilds: number;
  readonly jobErrors: number;
  readonly checkoutDurationMs: number;
  readonly evalDurationMs: number;
}

export interface EvaluatorMetrics {
  /** An evaluation started; call the result once with its outcome when it ends. */
  evaluationStarted(): (outcome: string) => void;
  evaluationRecorded(r: RecordedEvaluationCounts): void;
  schedulerTick(t: { readonly failed: boolean; readonly declarativeApplied: number }): void;
}

// Evaluations take from a second (unchanged inputs) to an hour (nixpkgs).
const EVALUATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export function createEvaluatorMetrics(registry: Registry): EvaluatorMetrics {
  const registers = [registry];
  const total = new Counter({
    name: 'fc_evaluations_total',
    help: 'Evaluations handled, by outcome (succeeded, unchanged, fetch-failed, eval-failed, gone, already-finished, error)',
    labelNames: ['outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'fc_evaluation_duration_seconds',
    help: 'Wall time of an evaluate-jobset job, by outcome',
    labelNames: ['outcome'],
    buckets: EVALUATION_BUCKETS,
    registers,
  });
  const phase = new Histogram({
    name: 'fc_evaluation_phase_duration_seconds',
    help: 'Time of a recorded evaluation per phase: checkout (fetching inputs) and eval (Nix)',
    labelNames: ['phase'],
    buckets: EVALUATION_BUCKETS,
    registers,
  });
  const running = new Gauge({
    name: 'fc_evaluations_running',
    help: 'Evaluations running in this evaluator',
    registers,
  });
  const jobs = new Counter({
    name: 'fc_evaluation_jobs_total',
    help: 'Jobs found by recorded evaluations',
    registers,
  });
  const newBuilds = new Counter({
    name: 'fc_evaluation_new_builds_total',
    help: 'Builds created by recorded evaluations (jobs whose output changed)',
    registers,
  });
  const jobErrors = new Counter({
    name: 'fc_evaluation_job_errors_total',
    help: 'Jobs of recorded evaluations that failed to evaluate',
    registers,
  });
  const ticks = new Counter({
    name: 'fc_evaluator_scheduler_ticks_total',
    help: 'Scheduler passes, by result (ok, failed)',
    labelNames: ['result'],
    registers,
  });
  const declarative = new Counter({
    name: 'fc_evaluator_declarative_applies_total',
    help: 'Declarative specs (succeeded .jobsets builds) applied by the scheduler',
    registers,
  });
  ticks.inc({ result: 'ok' }, 0);
  ticks.inc({ result: 'failed' }, 0);

  return {
    evaluationStarted() {
      running.inc();
      const stop = duration.startTimer();
      let ended = false;
      return (outcome) => {
        if (ended) return;
        ended = true;
        running.dec();
        stop({ outcome });
        total.inc({ outcome });
      };
    },
    evaluationRecorded(r) {
      jobs.inc(r.jobs);
      newBuilds.inc(r.newBuilds);
      jobErrors.inc(r.jobErrors);
      phase.observe({ phase: 'checkout' }, r.checkoutDurationMs / 1000);
      phase.observe({ phase: 'eval' }, r.evalDurationMs / 1000);
    },
    schedulerTick(t) {
      ticks.inc({ result: t.failed ? 'failed' : 'ok' });
      declarative.inc(t.declarativeApplied);
    },
  };
}
