// An evaluation's life as Hydra announces it: eval_started when it begins, then eval_failed (fetch or
// evaluation error), eval_cached (inputs unchanged: the earlier evaluation stands) or eval_added
// followed by builds_added when it added builds. The trace id ties one evaluation's events together.
import type { Queryable } from '@fc/db';
import { hydraEvent, publishEvents } from './hydra-events';

/** The trace id of one evaluation attempt (Hydra's is its start time and process id): start time and evaluation id. */
export function evaluationTraceId(evaluationId: number, startedAt: Date): string {
  return `${Math.floor(startedAt.getTime() / 1000)}.${evaluationId}`;
}

export async function announceEvaluationStarted(
  db: Queryable,
  traceId: string,
  jobsetId: number,
): Promise<void> {
  await publishEvents(db, [hydraEvent.evalStarted(traceId, jobsetId)]);
}

export async function announceEvaluationFailed(
  db: Queryable,
  traceId: string,
  jobsetId: number,
): Promise<void> {
  await publishEvents(db, [hydraEvent.evalFailed(traceId, jobsetId)]);
}

/** The inputs were unchanged: `standingEvaluationId` is the earlier evaluation that stands. */
export async function announceEvaluationCached(
  db: Queryable,
  traceId: string,
  jobsetId: number,
  standingEvaluationId: number,
): Promise<void> {
  await publishEvents(db, [hydraEvent.evalCached(traceId, jobsetId, standingEvaluationId)]);
}

/** eval_added, then builds_added with the lowest new build id when the evaluation added builds. */
export async function announceEvaluationAdded(
  db: Queryable,
  traceId: string,
  jobsetId: number,
  evaluationId: number,
  newBuildIds: Iterable<number>,
): Promise<void> {
  let lowest: number | undefined;
  for (const id of newBuildIds) if (lowest === undefined || id < lowest) lowest = id;
  await publishEvents(db, [
    hydraEvent.evalAdded(traceId, jobsetId, evaluationId),
    ...(lowest === undefined ? [] : [hydraEvent.buildsAdded(lowest)]),
  ]);
}
