// pg-boss's maintenance (expiry, lost heartbeats, retention), run by FC rather than by pg-boss's own
// timer, so that no heartbeat is judged right after a database outage: while the database did not
// answer, no worker could refresh its jobs' heartbeats, so a pass waits until the database has
// answered for HEARTBEAT_TOLERANCE_SECONDS; by then every live worker has beaten again, and only the
// jobs of workers that are really gone are failed (and retried).
import type { DatabaseReachability, OutageLog } from '@fc/db';
import type { Boss } from './boss';
import { BUILD_HEARTBEAT_SECONDS } from './boss';

/** seconds the database must have answered before heartbeats are judged: two heartbeats. */
export const HEARTBEAT_TOLERANCE_SECONDS = 2 * BUILD_HEARTBEAT_SECONDS;

/** Whether a maintenance pass may run: the database has answered long enough for workers to beat. */
export function mayJudgeHeartbeats(answeringForMs: number, toleranceSeconds: number): boolean {
  return answeringForMs >= toleranceSeconds * 1000;
}

export interface Supervision {
  stop(): Promise<void>;
}

/** Runs pg-boss's maintenance every `intervalSeconds` (create the boss with `supervise: false`). */
export function superviseAfterOutages(
  boss: Boss,
  reachability: DatabaseReachability,
  options: { intervalSeconds: number; log?: OutageLog },
): Supervision {
  let running: Promise<void> = Promise.resolve();
  let held = false;
  const pass = async () => {
    if (!mayJudgeHeartbeats(reachability.answeringForMs(), HEARTBEAT_TOLERANCE_SECONDS)) {
      if (!held)
        options.log?.info('queue maintenance waits until the database has answered for a while', {
          seconds: HEARTBEAT_TOLERANCE_SECONDS,
        });
      held = true;
      return;
    }
    held = false;
    await boss.supervise();
  };
  let busy = false;
  const tick = () => {
    // A pass longer than the interval is not overlapped by the next.
    if (busy) return;
    busy = true;
    running = pass()
      .catch((e: unknown) => {
        options.log?.warn('queue maintenance failed', { error: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, options.intervalSeconds * 1000);
  tick();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
