// Fair sharing of builders between jobsets, as Hydra's queue runner does it: a bumped build goes
// first whatever its jobset; otherwise the next build comes from the jobset that used the least
// builder time in the recent window for its scheduling shares (used / shares, lowest first; ties go
// to the jobset whose oldest queued build is older). Used time is its finished builds' time plus
// the time its claimed builds have held a worker so far. Within a jobset pg-boss's order holds:
// bumped, then meta.schedulingPriority, then the build queued first.
import { BUMPED_MIN_PRIORITY, buildJobGroup, type FetchTurn } from '@fc/queue';

/** The window whose builder time counts against a jobset's shares (Hydra's is a day too). */
export const FAIR_SHARE_WINDOW_SECONDS = 24 * 60 * 60;

export interface JobsetShare {
  readonly jobsetId: number;
  readonly shares: number;
  readonly usedSeconds: number;
  readonly firstQueuedBuildId: number;
}

/** A queued jobset's share as stored: builder time of its builds finished within the window. */
export interface FinishedShare {
  readonly jobsetId: number;
  readonly shares: number;
  readonly finishedSeconds: number;
  readonly firstQueuedBuildId: number;
}

/**
 * Each jobset's used time: its finished builds' time plus its claimed builds' time so far
 * (`claimedSeconds`, by queue group id, as pg-boss holds the claims).
 */
export function jobsetShares(
  finished: readonly FinishedShare[],
  claimedSeconds: ReadonlyMap<string, number>,
): JobsetShare[] {
  return finished.map(({ finishedSeconds, ...j }) => ({
    ...j,
    usedSeconds: finishedSeconds + (claimedSeconds.get(buildJobGroup(j.jobsetId).id) ?? 0),
  }));
}

/** Jobset ids in the order their next build should be claimed. */
export function jobsetsInFairOrder(jobsets: readonly JobsetShare[]): number[] {
  const share = (j: JobsetShare) => j.usedSeconds / Math.max(1, j.shares);
  return [...jobsets]
    .sort((a, b) => share(a) - share(b) || a.firstQueuedBuildId - b.firstQueuedBuildId)
    .map((j) => j.jobsetId);
}

/**
 * The fetches a queue runner tries, in order, for its next build: any bumped build, then the next
 * build of each jobset in fair order (its group's), then any build at all (jobs queued without a
 * group, or of a jobset that queued builds since `jobsets` was read).
 */
export function fairFetchTurns(jobsets: readonly JobsetShare[]): FetchTurn[] {
  return [
    { minPriority: BUMPED_MIN_PRIORITY },
    ...jobsetsInFairOrder(jobsets).map((id) => ({ group: buildJobGroup(id).id })),
    {},
  ];
}
