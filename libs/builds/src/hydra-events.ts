// Hydra's events: PostgreSQL NOTIFY on Hydra's channels with Hydra's payloads (tab-separated fields),
// sent on the caller's connection so they are delivered when, and only if, the change commits.
// Tools written for hydra-notify's interface can LISTEN to FC. docs/events.md describes each one.
import type { Queryable } from '@fc/db';

export const HydraChannel = {
  EvalStarted: 'eval_started',
  EvalAdded: 'eval_added',
  EvalCached: 'eval_cached',
  EvalFailed: 'eval_failed',
  BuildQueued: 'build_queued',
  CachedBuildQueued: 'cached_build_queued',
  CachedBuildFinished: 'cached_build_finished',
  BuildsAdded: 'builds_added',
  BuildStarted: 'build_started',
  StepFinished: 'step_finished',
  BuildFinished: 'build_finished',
} as const;
export type HydraChannel = (typeof HydraChannel)[keyof typeof HydraChannel];

/** One NOTIFY: its channel and its payload (Hydra's fields joined by tabs). */
export interface HydraEvent {
  readonly channel: HydraChannel;
  readonly payload: string;
}

const fields = (...values: readonly (string | number)[]): string => values.join('\t');

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; Hydra splits long ones below this. */
const MAX_PAYLOAD_LENGTH = 7000;

export const hydraEvent = {
  evalStarted: (traceId: string, jobsetId: number): HydraEvent => ({
    channel: HydraChannel.EvalStarted,
    payload: fields(traceId, jobsetId),
  }),
  evalAdded: (traceId: string, jobsetId: number, evaluationId: number): HydraEvent => ({
    channel: HydraChannel.EvalAdded,
    payload: fields(traceId, jobsetId, evaluationId),
  }),
  /** The inputs were unchanged: `evaluationId` is the earlier evaluation that stands for this one. */
  evalCached: (traceId: string, jobsetId: number, evaluationId: number): HydraEvent => ({
    channel: HydraChannel.EvalCached,
    payload: fields(traceId, jobsetId, evaluationId),
  }),
  evalFailed: (traceId: string, jobsetId: number): HydraEvent => ({
    channel: HydraChannel.EvalFailed,
    payload: fields(traceId, jobsetId),
  }),
  buildQueued: (buildId: number): HydraEvent => ({
    channel: HydraChannel.BuildQueued,
    payload: fields(buildId),
  }),
  cachedBuildQueued: (evaluationId: number, buildId: number): HydraEvent => ({
    channel: HydraChannel.CachedBuildQueued,
    payload: fields(evaluationId, buildId),
  }),
  cachedBuildFinished: (evaluationId: number, buildId: number): HydraEvent => ({
    channel: HydraChannel.CachedBuildFinished,
    payload: fields(evaluationId, buildId),
  }),
  /** An evaluation added new builds; the payload is the lowest new build id. */
  buildsAdded: (lowestBuildId: number): HydraEvent => ({
    channel: HydraChannel.BuildsAdded,
    payload: fields(lowestBuildId),
  }),
  buildStarted: (buildId: number): HydraEvent => ({
    channel: HydraChannel.BuildStarted,
    payload: fields(buildId),
  }),
  /** `log` is where the step's log is (stepLogUrl), "-" when the step has none. */
  stepFinished: (buildId: number, stepNr: number, log: string | null): HydraEvent => ({
    channel: HydraChannel.StepFinished,
    payload: fields(buildId, stepNr, log ?? '-'),
  }),
};

/**
 * Where step_finished says a step's log is. Hydra names its log file; FC keeps logs in PostgreSQL, so it
 * names the log's URL on fc-server (Hydra's own URL for a step's log): absolute under `baseUrl`
 * (server.base_url) when that is set, else the path.
 */
export function stepLogUrl(buildId: number, stepNr: number, baseUrl?: string): string {
  return `${(baseUrl ?? '').replace(/\/+$/, '')}/build/${buildId}/nixlog/${stepNr}`;
}

/**
 * `build_finished`: the build's id, then the ids of builds that finished with it (dependents). A long
 * list is split over several notifications, each repeating the build's id first, as Hydra does.
 */
export function buildFinishedEvents(buildId: number, dependentIds: readonly number[] = []): HydraEvent[] {
  const events: HydraEvent[] = [];
  let payload = String(buildId);
  for (const dependent of dependentIds) {
    const next = `${payload}\t${dependent}`;
    if (next.length > MAX_PAYLOAD_LENGTH) {
      events.push({ channel: HydraChannel.BuildFinished, payload });
      payload = `${buildId}\t${dependent}`;
    } else payload = next;
  }
  events.push({ channel: HydraChannel.BuildFinished, payload });
  return events;
}

/** Sends the events on the caller's connection (one statement), in the caller's transaction. */
export async function publishEvents(db: Queryable, events: readonly HydraEvent[]): Promise<void> {
  if (events.length === 0) return;
  // PostgreSQL delivers a transaction's notifications in the order they were sent (dropping exact
  // duplicates); the ordered subquery makes that the order of `events`.
  await db.query(
    `SELECT pg_notify(e.c, e.p) FROM (
       SELECT c, p FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(c, p, n) ORDER BY n
     ) e`,
    [events.map((e) => e.channel), events.map((e) => e.payload)],
  );
}
