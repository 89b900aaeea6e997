// The I/O beside fairFetchTurns: reads each queued jobset's shares and recent usage, and orders the
// fetches a queue runner tries for its next build. Read afresh before every claim, from the database
// every queue runner shares, so the sharing holds across machines.
import { forgetBuilderTimeBefore, listJobsetShares, type Queryable } from '@fc/db';
import type { FetchTurn } from '@fc/queue';
import { FAIR_SHARE_WINDOW_SECONDS, fairFetchTurns } from './fair-share';

export async function nextFairFetchTurns(db: Queryable): Promise<FetchTurn[]> {
  return fairFetchTurns(await listJobsetShares(db, FAIR_SHARE_WINDOW_SECONDS));
}

/** Drops the builder time recorded before the window (queue runners call it now and then). */
export async function forgetOldBuilderTime(db: Queryable): Promise<number> {
  return forgetBuilderTimeBefore(db, FAIR_SHARE_WINDOW_SECONDS);
}
