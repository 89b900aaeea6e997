// The process boundary of a daemon: one place that turns start-up failures into a clear message and
// an exit code, and SIGTERM/SIGINT into an orderly stop.
import type { Logger } from './logger';

export interface RunningDaemon {
  /** Stops accepting work, finishes or hands back what is running, closes pools. */
  stop(): Promise<void>;
}

export interface DaemonErrorMapping {
  /** Exit code for a configuration error (default 2). */
  readonly configExitCode?: number;
}

/** Start-up errors the user can fix, printed as plain messages (no stack). */
const EXPECTED_ERRORS = new Set(['ConfigError', 'SchemaNotReadyError', 'DatabaseUnavailableError']);

export function runDaemon(
  name: string,
  start: () => Promise<{ daemon: RunningDaemon; logger: Logger }>,
  options: DaemonErrorMapping = {},
): void {
  let stopping = false;
  start().then(
    ({ daemon, logger }) => {
      const shutdown = (signal: string) => {
        if (stopping) {
          logger.warn('second signal: exiting now', { signal });
          process.exit(1);
        }
        stopping = true;
        // stop() first: what its synchronous start does (fc-server closes its listener) has happened
        // by the time anyone reads 'stopping'.
        const stopped = daemon.stop();
        logger.info('stopping', { signal });
        stopped.then(
          () => {
            logger.info('stopped');
            process.exitCode = 0;
          },
          (e: unknown) => {
            logger.error('error while stopping', { error: e instanceof Error ? e.message : String(e) });
            process.exitCode = 1;
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    },
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      if (EXPECTED_ERRORS.has(err.name)) {
        process.stderr.write(`${name}: ${err.message}\n`);
        process.exitCode = err.name === 'ConfigError' ? (options.configExitCode ?? 2) : 1;
      } else {
        process.stderr.write(`${name}: failed to start: ${err.stack ?? err.message}\n`);
        process.exitCode = 1;
      }
      // Open handles (pools, timers) must not keep a failed daemon alive.
      setTimeout(() => process.exit(), 100).unref();
    },
  );
}
