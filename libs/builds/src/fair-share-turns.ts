// The I/O beside fairFetchTurns: reads each queued jobset's shares, the builder time its finished
// builds used in the window and the time its claimed builds have held a worker, and orders the fetches
// a queue runner tries for its next build. Read afresh inside every claim's transaction (which
// consume-in-turns serializes across runners), from the database every queue runner shares, so the
// sharing holds across machines.
import { forgetBuilderTimeBefore, listJobsetShares, type Queryable } from '@fc/db';
import { QueueName, activeGroupSeconds, type FetchTurn } from '@fc/queue';
import { FAIR_SHARE_WINDOW_SECONDS, fairFetchTurns, jobsetShares } from './fair-share';

export async function nextFairFetchTurns(db: Queryable): Promise<FetchTurn[]> {
  const finished = await listJobsetShares(db, FAIR_SHARE_WINDOW_SECONDS);
  // One jobset's turn comes first whatever its time.
  const claimed = finished.length > 1 ? await activeGroupSeconds(db, QueueName.BuildDerivation) : new Map();
  return fairFetchTurns(jobsetShares(finished, claimed));
}

/** Drops the builder time recorded before the window (queue runners call it now and then). */
export async function forgetOldBuilderTime(db: Queryable): Promise<number> {
  return forgetBuilderTimeBefore(db, FAIR_SHARE_WINDOW_SECONDS);
}
