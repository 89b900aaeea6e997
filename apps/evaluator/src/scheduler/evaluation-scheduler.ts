// Every poll interval: apply the declarative projects' newest succeeded "jobsets" builds (first, so
// the jobsets they create are due in the same pass), ask for an evaluation of each jobset that is due (the queue's singleton key
// keeps one queued per jobset), and hand back to pg-boss the jobs of evaluations whose evaluator
// died (no heartbeat), so they are retried; and fail the evaluations whose job ended for good
// without finishing them (every retry failed), with the error on the evaluation and its jobset.
import {
  disableOneShotJobset,
  dueJobsetIds,
  failRunningEvaluation,
  isConnectionError,
  jobsetSecretSources,
  runningEvaluationJobs,
  setJobsetError,
  staleRunningEvaluations,
  withTransaction,
  type Pool,
} from '@fc/db';
import type { Logger } from '@fc/logging';
import { QueueName, mayJudgeHeartbeats, requestEvaluation, type Boss } from '@fc/queue';
import {
  applyDeclarativeBuilds,
  type DeclarativeBuildOutcome,
} from '../declarative/apply-declarative-builds';
import { secretRedactor, secretsOf } from '@fc/core';
import { endedEvaluationError } from './ended-evaluation-job';

export interface SchedulerOptions {
  readonly pool: Pool;
  readonly boss: Boss;
  readonly logger: Logger;
  /** seconds */
  readonly pollInterval: number;
  /** notifications.dynamic_run_command (declarative specs may enable dynamic RunCommand). */
  readonly dynamicRunCommand?: boolean;
  /** seconds without a heartbeat after which a running evaluation is considered orphaned */
  readonly staleAfter: number;
  /**
   * ms the database has answered without a break: no heartbeat is judged until it has answered for
   * `staleAfter`, since no evaluator could beat while it did not (the default: always answered).
   */
  readonly databaseAnsweringForMs?: () => number;
  /** Told about each pass: whether it failed, and how many declarative specs it applied. */
  readonly onTick?: (t: { failed: boolean; declarativeApplied: number }) => void;
}

export interface SchedulerTick {
  readonly declarative: DeclarativeBuildOutcome[];
  readonly requested: number[];
  readonly recovered: number[];
  /** Evaluations failed because their job ended for good. */
  readonly abandoned: number[];
}

/** One pass of the scheduler. */
export async function scheduleTick(o: Omit<SchedulerOptions, 'pollInterval'>): Promise<SchedulerTick> {
  const declarative = await applyDeclarativeBuilds(o.pool, o.logger, o.dynamicRunCommand ?? false);
  const requested: number[] = [];
  for (const jobsetId of await dueJobsetIds(o.pool)) {
    const id = await requestEvaluation(o.pool, o.boss, { jobsetId, force: false, reason: 'schedule' });
    if (id) requested.push(jobsetId);
  }
  const recovered: number[] = [];
  const answeringForMs = o.databaseAnsweringForMs?.() ?? Number.POSITIVE_INFINITY;
  const stale = mayJudgeHeartbeats(answeringForMs, o.staleAfter)
    ? await staleRunningEvaluations(o.pool, o.staleAfter)
    : [];
  for (const e of stale) {
    if (!e.queueJobId) continue;
    const job = await o.boss.getJobById(QueueName.EvaluateJobset, e.queueJobId);
    // Only the run that stopped beating: a retry that started since has not claimed the row yet.
    if (job?.state !== 'active' || !job.startedOn || job.startedOn > e.heartbeatAt) continue;
    await o.boss.fail(QueueName.EvaluateJobset, e.queueJobId, {
      message: 'the evaluator running it stopped',
    });
    recovered.push(e.id);
    o.logger.warn('orphaned evaluation handed back for a retry', {
      evaluationId: e.id,
      queueJobId: e.queueJobId,
    });
  }
  const abandoned = await failAbandonedEvaluations(o);
  return { declarative, requested, recovered, abandoned };
}

async function failAbandonedEvaluations(o: Omit<SchedulerOptions, 'pollInterval'>): Promise<number[]> {
  const failed: number[] = [];
  for (const e of await runningEvaluationJobs(o.pool)) {
    if (!e.queueJobId) continue;
    const error = endedEvaluationError(await o.boss.getJobById(QueueName.EvaluateJobset, e.queueJobId));
    if (error === undefined) continue;
    // The job's error may quote what the expression printed: the jobset's secrets are hidden.
    const message = secretRedactor(secretsOf(await jobsetSecretSources(o.pool, e.jobsetId)))(error);
    const changed = await withTransaction(o.pool, async (tx) => {
      if (!(await failRunningEvaluation(tx, e.id, message))) return false;
      await setJobsetError(tx, e.jobsetId, message);
      await disableOneShotJobset(tx, e.jobsetId);
      return true;
    });
    if (!changed) continue;
    failed.push(e.id);
    o.logger.error('evaluation failed: its job ended without finishing it', {
      evaluationId: e.id,
      jobsetId: e.jobsetId,
      queueJobId: e.queueJobId,
      error: message,
    });
  }
  return failed;
}

/** Runs scheduleTick every poll interval until stopped; a failing tick is logged, not fatal. */
export function startScheduler(o: SchedulerOptions): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = scheduleTick(o).then(
      (t) => {
        o.onTick?.({ failed: false, declarativeApplied: t.declarative.filter((d) => d.applied).length });
        if (t.requested.length > 0) o.logger.debug('evaluations requested', { jobsetIds: t.requested });
      },
      (e: unknown) => {
        o.onTick?.({ failed: true, declarativeApplied: 0 });
        // An outage is logged once, by the reachability watch, not on every tick during it.
        o.logger.log(isConnectionError(e) ? 'debug' : 'error', 'scheduler tick failed', {
          error: e instanceof Error ? e.message : String(e),
        });
      },
    );
  };
  const timer = setInterval(() => {
    if (!stopped) tick();
  }, o.pollInterval * 1000);
  tick();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
