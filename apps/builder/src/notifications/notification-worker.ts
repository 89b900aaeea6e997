// The queue runner's notify-build consumer: pg-boss hands it each finished build's job (retries with
// backoff per the queue's definition in @fc/queue) and notifyBuild reports it.
import { join } from 'node:path';
import type { FcConfig } from '@fc/config';
import type { Pool } from '@fc/db';
import type { Logger } from '@fc/logging';
import type { BuilderMetrics } from '@fc/metrics';
import { QueueName, consumeQueue, type Boss } from '@fc/queue';
import { notifyBuild, TransientNotificationError, type NotifyBuildDeps } from './notify-build.handler';
import { notificationsConfigured } from './notification-channels';

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
      onError: (job, e) => {
        if (e instanceof TransientNotificationError) return;
        logger.warn('notify-build job failed; pg-boss retries it', {
          jobId: job.id,
          buildId: job.data.buildId,
          attempt: job.retryCount + 1,
          maxAttempts: job.retryLimit + 1,
          error: (e as Error).message,
        });
      },
    },
    async (job) => void (await notifyBuild(handlerDeps, job)),
  );
  logger.info('consuming notify-build', { configured });
  return {
    stop: async () => {
      await consumer.stop({ wait: true });
    },
  };
}
