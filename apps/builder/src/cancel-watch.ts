// Cancelling running builds: LISTEN on fc_build_cancel (cancelBuild NOTIFYs the build id) kills the
// build's Nix process tree at once; a poll of the running builds' rows backs it up, so a NOTIFY lost
// with a dropped connection still ends the build within a few seconds. The same connection LISTENs
// for Hydra's build_queued and builds_added, so idle worker slots claim a new build at once rather
// than at their next poll (queue_runner.poll_interval), and for fc_dependency_failed: a step failed in
// another build, and the running builds here that need its derivation stop rather than build it again.
import { finishedBuildIds, isConnectionError, type Pool, type PoolClient } from '@fc/db';
import type { Logger } from '@fc/logging';
import {
  BUILD_CANCEL_CHANNEL,
  DEPENDENCY_FAILED_CHANNEL,
  HydraChannel,
  parseDependencyFailureSignal,
} from '@fc/builds';
import type { BuildRunner } from './build-runner';

const BACKSTOP_MS = 2000;

export interface CancelWatch {
  stop(): Promise<void>;
}

const QUEUED_CHANNELS = [HydraChannel.BuildQueued, HydraChannel.BuildsAdded] as const;

export async function watchCancellations(
  pool: Pool,
  runner: BuildRunner,
  logger: Logger,
  onBuildsQueued: () => void = () => undefined,
): Promise<CancelWatch> {
  const log = logger.child({ component: 'cancel-watch' });
  let client: PoolClient | undefined;
  let releaseCurrent: (e?: Error) => void = () => undefined;
  let stopped = false;

  const listen = async (): Promise<void> => {
    const c = await pool.connect();
    c.on('notification', (msg) => {
      if ((QUEUED_CHANNELS as readonly string[]).includes(msg.channel)) return onBuildsQueued();
      if (msg.channel === DEPENDENCY_FAILED_CHANNEL) {
        const failure = parseDependencyFailureSignal(msg.payload);
        for (const id of failure?.buildIds ?? []) {
          if (failure && runner.failDependency(id, failure)) {
            log.info('a derivation the build needs failed in another build: stopping it', {
              buildId: id,
              drvPath: failure.drvPath,
              failedIn: failure.failedIn,
            });
          }
        }
        return;
      }
      const id = Number(msg.payload);
      if (msg.channel === BUILD_CANCEL_CHANNEL && Number.isInteger(id) && runner.cancel(id)) {
        log.info('build cancelled: killing it', { buildId: id });
      }
    });
    let released = false;
    const release = (e?: Error) => {
      if (released) return;
      released = true;
      c.release(e);
    };
    c.on('error', (e: Error) => {
      // After stop() released the client, a late error (the database dropped) must not release it twice.
      if (released) return;
      log.warn('cancel listener lost its connection', { error: e.message });
      release(e);
      if (client === c) client = undefined;
    });
    releaseCurrent = release;
    await c.query(`LISTEN ${BUILD_CANCEL_CHANNEL}`);
    await c.query(`LISTEN ${DEPENDENCY_FAILED_CHANNEL}`);
    for (const channel of QUEUED_CHANNELS) await c.query(`LISTEN ${channel}`);
    client = c;
  };
  await listen();

  const backstop = setInterval(() => {
    void (async () => {
      if (!client && !stopped) await listen();
      const finished = await finishedBuildIds(pool, runner.runningBuildIds());
      for (const id of finished)
        if (runner.cancel(id)) log.info('build finished elsewhere: killing it', { buildId: id });
    })().catch((e: unknown) =>
      log.log(isConnectionError(e) ? 'debug' : 'warn', 'cancel check failed', {
        error: (e as Error).message,
      }),
    );
  }, BACKSTOP_MS);

  return {
    stop: async () => {
      stopped = true;
      clearInterval(backstop);
      const c = client;
      client = undefined;
      if (c) {
        await c.query('UNLISTEN *').catch(() => undefined);
        releaseCurrent();
      }
    },
  };
}
