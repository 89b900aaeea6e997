// The evaluator's two roles, started together by main.ts: the scheduler, and the evaluate-jobset
// worker running at most evaluator.max_concurrent_evals evaluations at once.
import { mkdirSync } from 'node:fs';
import type { Pool } from '@fc/db';
import type { ForgeAccount, ForgeClient } from '@fc/forges';
import type { PullRequestService } from '@fc/pull-requests';
import type { Logger } from '@fc/logging';
import type { EvaluatorMetrics, RecordedEvaluationCounts } from '@fc/metrics';
import { killOwnProcessGroups, reapOrphanedProcessGroups } from '@fc/nix';
import { DRAIN_SECONDS, QueueName, consumeQueue, type Boss } from '@fc/queue';
import {
  evaluateJobsetJob,
  type EvaluationOutcome,
  type EvaluatorSettings,
} from './evaluation/evaluate-jobset.handler';
import { startScheduler } from './scheduler/evaluation-scheduler';
import { startPullRequestPoller } from './scheduler/pull-request-poll';
import { processGroupDir, removeGuessableCheckouts } from './work-dirs';

export interface EvaluatorOptions {
  readonly pool: Pool;
  readonly boss: Boss;
  readonly logger: Logger;
  readonly settings: EvaluatorSettings;
  /** seconds */
  readonly pollInterval: number;
  readonly maxConcurrentEvals: number;
  readonly metrics: EvaluatorMetrics;
  /** The pass over the forges' open pull requests (evaluator.pull_request_poll_interval); absent: none. */
  readonly pullRequestPoll?: {
    readonly intervalSeconds: number;
    readonly pullRequests: PullRequestService;
    readonly client: ForgeClient;
    readonly accounts: readonly ForgeAccount[];
  };
  /** ms the database has answered without a break (orphaned evaluations are judged only after a while). */
  readonly databaseAnsweringForMs?: () => number;
}

export interface RunningEvaluator {
  stop(): Promise<void>;
}

export async function startEvaluator(o: EvaluatorOptions): Promise<RunningEvaluator> {
  mkdirSync(o.settings.workDir, { recursive: true, mode: 0o700 });
  // A SIGKILLed predecessor leaves its children running (each in its own process group).
  const reaped = reapOrphanedProcessGroups(processGroupDir(o.settings.workDir));
  if (reaped.length > 0) {
    o.logger.warn('killed process groups left running by an earlier evaluator', { processGroups: reaped });
  }
  const removed = removeGuessableCheckouts(o.settings.workDir);
  if (removed.length > 0) {
    o.logger.info('removed checkouts named by jobset id alone (they are fetched again under keyed names)', {
      jobsets: removed.length,
    });
  }
  const stopping = new AbortController();
  const deps = {
    pool: o.pool,
    boss: o.boss,
    logger: o.logger,
    settings: o.settings,
    onRecorded: (r: RecordedEvaluationCounts) => o.metrics.evaluationRecorded(r),
    stopping: stopping.signal,
  };
  const consumer = await consumeQueue(
    o.boss,
    QueueName.EvaluateJobset,
    { localConcurrency: o.maxConcurrentEvals, pollingIntervalSeconds: Math.min(2, o.pollInterval) },
    async (job) => {
      // 'error': the handler threw (the database); pg-boss retries the job.
      let outcome: EvaluationOutcome | 'error' = 'error';
      const done = o.metrics.evaluationStarted();
      try {
        outcome = await evaluateJobsetJob(deps, job.id, job.data);
      } finally {
        done(outcome);
      }
      o.logger.debug('evaluate-jobset done', { queueJobId: job.id, outcome });
    },
  );
  const scheduler = startScheduler({
    pool: o.pool,
    boss: o.boss,
    logger: o.logger.child({ component: 'scheduler' }),
    pollInterval: o.pollInterval,
    staleAfter: Math.max(3, Math.ceil((o.settings.heartbeatMs * 4) / 1000)),
    dynamicRunCommand: o.settings.dynamicRunCommand ?? false,
    ...(o.databaseAnsweringForMs ? { databaseAnsweringForMs: o.databaseAnsweringForMs } : {}),
    onTick: (t) => o.metrics.schedulerTick(t),
  });
  const poller =
    o.pullRequestPoll &&
    startPullRequestPoller({
      ...o.pullRequestPoll,
      pool: o.pool,
      logger: o.logger.child({ component: 'pull-request-poll' }),
    });
  return {
    stop: async () => {
      await scheduler.stop();
      await poller?.stop();
      // Take no new evaluation; give the running ones the queue runner's drain deadline, then kill
      // their git and Nix processes (a fetch from a server that never answers would otherwise hold
      // the stop for evaluator.git_timeout) and hand them back to the queue.
      const drained = consumer.stop({ wait: true });
      let drainTimer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        drained.then(() => true),
        new Promise<boolean>((r) => (drainTimer = setTimeout(() => r(false), DRAIN_SECONDS * 1000))),
      ]);
      clearTimeout(drainTimer);
      if (!inTime) {
        stopping.abort();
        const killed = killOwnProcessGroups(processGroupDir(o.settings.workDir));
        o.logger.warn('handing running evaluations back to the queue', { processGroups: killed });
        await drained;
      }
    },
  };
}
