// Whether a daemon has reached its database without a break, and for how long: a heartbeat that went
// stale while nobody could reach the database says nothing about the worker that stopped beating, so
// whoever judges heartbeats (pg-boss's supervisor, the evaluator's orphan check) waits until the
// database has answered for a heartbeat's tolerance before judging any (README, "Security").
import type { Queryable } from '../pool';

/** Since when the database has answered every probe; undefined while it does not answer. */
export interface ReachabilityState {
  readonly answeringSince: number | undefined;
}

/** A daemon starts having just reached its database (its pool opened and the schema checked). */
export const REACHABLE_AT_START: ReachabilityState = { answeringSince: Number.NEGATIVE_INFINITY };

/** The state after a probe at `now` (ms) that the database answered (`ok`) or did not. */
export function afterProbe(state: ReachabilityState, ok: boolean, now: number): ReachabilityState {
  if (!ok) return { answeringSince: undefined };
  return { answeringSince: state.answeringSince ?? now };
}

/** ms the database has answered without a break at `now`; 0 while it does not answer. */
export function answeringFor(state: ReachabilityState, now: number): number {
  return state.answeringSince === undefined ? 0 : now - state.answeringSince;
}

export interface DatabaseReachability {
  /** ms the database has answered without a break; 0 while it does not answer. */
  answeringForMs(): number;
  stop(): void;
}

const PROBE_MS = 1000;
/** A probe unanswered this long counts as a failure (a connection that hangs rather than closes). */
const PROBE_TIMEOUT_MS = 5000;

/** Where a daemon says that the database stopped answering and answers again (its Logger fits). */
export interface OutageLog {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

/**
 * Probes the database every second (`SELECT 1`), and logs once when it stops answering and once when
 * it answers again.
 */
export function watchDatabaseReachability(db: Queryable, log?: OutageLog): DatabaseReachability {
  let downSince = 0;
  const onChange = (answering: boolean, error?: unknown) => {
    if (answering) {
      log?.info('the database answers again', {
        unansweredSeconds: Math.round((Date.now() - downSince) / 1000),
      });
      return;
    }
    downSince = Date.now();
    log?.warn('the database does not answer; work in progress is kept and written when it does', {
      error: error instanceof Error ? error.message : String(error),
    });
  };
  let state = REACHABLE_AT_START;
  let probeStarted: number | undefined;
  const record = (ok: boolean, error?: unknown) => {
    const was = state.answeringSince !== undefined;
    state = afterProbe(state, ok, Date.now());
    if (was !== ok) onChange(ok, error);
  };
  const probe = () => {
    if (probeStarted !== undefined) {
      if (Date.now() - probeStarted > PROBE_TIMEOUT_MS)
        record(false, new Error('the database does not answer'));
      return;
    }
    probeStarted = Date.now();
    db.query('SELECT 1').then(
      () => {
        probeStarted = undefined;
        record(true);
      },
      (e: unknown) => {
        probeStarted = undefined;
        record(false, e);
      },
    );
  };
  const timer = setInterval(probe, PROBE_MS);
  timer.unref();
  return {
    answeringForMs: () => answeringFor(state, Date.now()),
    stop: () => clearInterval(timer),
  };
}
