// The queue runner's notify-build and notify-evaluation consumers: pg-boss hands them each build's
// and each pull request evaluation's job (retries with backoff per the queues' definitions in
// @fc/queue); notifyBuild and notifyEvaluation report them.
import { join } from 'node:path';
import type { FcConfig } from '@fc/config';
import type { Pool } from '@fc/db';
import type { Logger } from '@fc/logging';
import type { BuilderMetrics } from '@fc/metrics';
import { QueueName, consumeQueue, type Boss, type QueueJob } from '@fc/queue';
import { notifyBuild, TransientNotificationError, type NotifyBuildDeps } from './notify-build.handler';
import { notificationsConfigured } from './notification-channels';
import { notifyEvaluation } from './notify-evaluation.handler';

export interface NotificationWorker {
  stop(): Promise<void>;
}

/** Jobs handled at once by this queue runner. */
const CONCURRENCY = 2;
/** Jobs completed per fetch when there is nothing to deliver. */
const UNCONFIGURED_BATCH = 100;

export async function startNotificationWorker(deps: {
  pool: Pool;
  boss: Boss;
  logger: Logger;
  config: FcConfig;
  metrics?: BuilderMetrics;
}): Promise<NotificationWorker> {
  const { pool, boss, config } = deps;
  const logger = deps.logger.child({ component: 'notification-worker' });
  const handlerDeps: NotifyBuildDeps = {
    pool,
    logger: deps.logger,
    config,
    workDir: join(config.queue_runner.work_dir, 'notifications'),
    onDelivery: (kind, result) => deps.metrics?.notificationAttempted(kind, result),
  };
  /** A failed job pg-boss retries, logged with its attempt (transient failures, retried, are not). */
  const warnRetried = (
    queue: string,
    job: QueueJob<QueueName>,
    e: unknown,
    subject: { buildId: number } | { evaluationId: number },
  ): void => {
    if (e instanceof TransientNotificationError) return;
    logger.warn(`${queue} job failed; pg-boss retries it`, {
      jobId: job.id,
      ...subject,
      attempt: job.retryCount + 1,
      maxAttempts: job.retryLimit + 1,
      error: (e as Error).message,
    });
  };
  // With nothing configured the jobs are still consumed (and completed) so they do not pile up:
  // in batches, as each is only completed.
  const configured = notificationsConfigured(config.notifications);
  const consumer = await consumeQueue(
    boss,
    QueueName.NotifyBuild,
    {
      localConcurrency: CONCURRENCY,
      batchSize: configured ? 1 : UNCONFIGURED_BATCH,
      pollingIntervalSeconds: config.queue_runner.poll_interval,
      onError: (job, e) => warnRetried('notify-build', job, e, { buildId: job.data.buildId }),
    },
    async (job) => void (await notifyBuild(handlerDeps, job)),
  );
  const evaluations = await consumeQueue(
    boss,
    QueueName.NotifyEvaluation,
    {
      localConcurrency: 1,
      pollingIntervalSeconds: config.queue_runner.poll_interval,
      onError: (job, e) => warnRetried('notify-evaluation', job, e, { evaluationId: job.data.evaluationId }),
    },
    async (job) => void (await notifyEvaluation(handlerDeps, job)),
  );
  logger.info('consuming notify-build and notify-evaluation', { configured });
  return {
    stop: async () => {
      await Promise.all([consumer.stop({ wait: true }), evaluations.stop({ wait: true })]);
    },
  };
}
