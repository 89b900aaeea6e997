// The queue runner's work loop: queue_runner.workers concurrent build-derivation jobs, cancellation,
// the lost-build check, GC root cleanup, and the SIGTERM drain.
import type { FcConfig } from '@fc/config';
import { isConnectionError, type Pool } from '@fc/db';
import type { Logger } from '@fc/logging';
import { forgetOldBuilderTime, nextFairFetchTurns } from '@fc/builds';
import { DRAIN_SECONDS, QueueName, consumeQueueInTurns, type Boss, type QueueConsumer } from '@fc/queue';
import type { BuildRunner } from './build-runner';
import { watchCancellations } from './cancel-watch';
import { abortLostBuilds } from './lost-build-reaper';
import { cleanGcRoots } from './gc-root-cleaner';

const REAPER_MS = 15_000;
/** How often the builder time past the fair-share window is dropped. */
const FORGET_MS = 3_600_000;

export interface BuildWorker {
  stop(): Promise<void>;
}

export async function startBuildWorker(deps: {
  pool: Pool;
  boss: Boss;
  logger: Logger;
  config: FcConfig;
  runner: BuildRunner;
}): Promise<BuildWorker> {
  const { pool, boss, logger, config, runner } = deps;
  const log = logger.child({ component: 'build-worker' });

  // queue_runner.workers slots; each claim, one at a time across every runner, reads every queued
  // jobset's shares and recent usage and fetches the fairest jobset's next build (libs/builds
  // fair-share.ts).
  const builds = consumeQueueInTurns(
    boss,
    QueueName.BuildDerivation,
    {
      pool,
      localConcurrency: config.queue_runner.workers,
      pollingIntervalSeconds: config.queue_runner.poll_interval,
      onError: (job, e) =>
        log.warn('build attempt failed; pg-boss retries it', {
          buildId: job.data.buildId,
          jobId: job.id,
          attempt: job.retryCount + 1,
          maxAttempts: job.retryLimit + 1,
          error: (e as Error).message,
        }),
      // During an outage every claim fails; the outage itself is logged once, by the reachability watch.
      onLoopError: (e) =>
        log.log(isConnectionError(e) ? 'debug' : 'warn', 'claiming a build failed', {
          error: (e as Error).message,
        }),
    },
    (tx) => nextFairFetchTurns(tx),
    async (job) => void (await runner.run(job)),
  );
  const consumers: QueueConsumer[] = [builds];
  const cancels = await watchCancellations(pool, runner, logger, () => builds.wake());

  // Once at start (builds lost while no runner was up), then periodically.
  const reap = () => {
    abortLostBuilds(pool, boss, log).catch((e: unknown) =>
      log.log(isConnectionError(e) ? 'debug' : 'warn', 'lost-build check failed', {
        error: (e as Error).message,
      }),
    );
  };
  reap();
  const reaper = setInterval(reap, REAPER_MS);
  const forget = () => {
    forgetOldBuilderTime(pool).catch((e: unknown) =>
      log.warn('dropping old builder time failed', { error: (e as Error).message }),
    );
  };
  forget();
  const forgetter = setInterval(forget, FORGET_MS);
  const gc = config.gc.enabled
    ? setInterval(() => {
        cleanGcRoots(pool, config.gc.gc_roots_dir, config.gc.max_age_days)
          .then((removed) => removed.length && log.info('removed old GC roots', { count: removed.length }))
          .catch((e: unknown) => log.warn('GC root cleanup failed', { error: (e as Error).message }));
      }, config.gc.cleanup_interval * 1000)
    : undefined;

  return {
    stop: async () => {
      clearInterval(reaper);
      clearInterval(forgetter);
      if (gc) clearInterval(gc);
      // Take no new build; give the running ones a moment, then hand them back.
      const offWork = Promise.all(consumers.map((c) => c.stop({ wait: true }))).catch((e: unknown) =>
        log.warn('stopping the workers failed', { error: (e as Error).message }),
      );
      let drainTimer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        runner.idle().then(() => true),
        new Promise<boolean>((r) => (drainTimer = setTimeout(() => r(false), DRAIN_SECONDS * 1000))),
      ]);
      // A drain that ended early must not hold the process open until the deadline.
      clearTimeout(drainTimer);
      if (!drained) {
        log.info('handing running builds back to the queue', { buildIds: runner.runningBuildIds() });
        runner.handBackAll();
      }
      await runner.idle();
      await runner.close();
      await offWork;
      await cancels.stop();
    },
  };
}
