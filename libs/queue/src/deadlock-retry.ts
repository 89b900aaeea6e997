// Daemons that start together run the queues' DDL at once (pg-boss's queue tables and partitions,
// FC's group-fetch index on them); PostgreSQL may then end one statement as a deadlock's victim,
// rolling it back. Everything ensureQueues runs is idempotent, so the victim simply runs it again.

/** PostgreSQL's SQLSTATE for deadlock_detected. */
export const DEADLOCK_DETECTED = '40P01';

const isDeadlock = (e: unknown) => (e as { code?: unknown } | null)?.code === DEADLOCK_DETECTED;

/** Runs `fn`, again after a short pause each time it was a deadlock's victim, at most `attempts` times. */
export async function retryingDeadlocks<T>(fn: () => Promise<T>, attempts = 5, pauseMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isDeadlock(e) || attempt >= attempts) throw e;
      await new Promise((r) => setTimeout(r, pauseMs * attempt));
    }
  }
}
