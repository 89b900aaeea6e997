// Retrying a write through a database outage: what a daemon holds (a build's result, its log lines)
// is written once the database answers again, rather than dropped with the connection.
import { isConnectionError } from '../pg-error-codes';

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5000;

/** ms to wait before retrying after failed attempt `attempt` (1-based): 0.5 s, doubling, at most 5 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
}

export interface UntilAnswersOptions {
  /** Aborted: retry no more (the daemon is stopping, the work is no longer its own); the last error is thrown. */
  readonly signal?: AbortSignal;
  /** Told of each failed attempt that is retried. */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs `write` until it succeeds. An error that means the database cannot be reached is retried
 * (with backoff) for as long as it lasts; any other error is thrown at once. `write` must be safe to
 * run again after a connection broke mid-way (one transaction, or a statement that is idempotent).
 */
export async function untilDatabaseAnswers<T>(
  write: () => Promise<T>,
  options: UntilAnswersOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (!isConnectionError(e) || options.signal?.aborted) throw e;
      options.onRetry?.(e, attempt);
      await pause(retryDelayMs(attempt), options.signal);
      if (options.signal?.aborted) throw e;
    }
  }
}

/** Waits `ms`, or until `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
